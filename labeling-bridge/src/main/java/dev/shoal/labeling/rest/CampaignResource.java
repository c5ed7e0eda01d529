package dev.shoal.labeling.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.labeling.domain.Answer;
import dev.shoal.labeling.domain.Campaign;
import dev.shoal.labeling.domain.Task;
import dev.shoal.labeling.store.AnnotationRepository;
import dev.shoal.labeling.store.CampaignRepository;
import dev.shoal.labeling.store.OutboxRepository;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Read side for people and tests: campaigns with their tasks and QA, tasks with their full history. Every field is
 * snake_case; an accepted label's {@code answer} is a JSON object ({@code class_name}, {@code boxes}, {@code polygons}).
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class CampaignResource {

    @Inject
    CampaignRepository campaigns;

    @Inject
    AnnotationRepository annotations;

    @Inject
    OutboxRepository outbox;

    @Inject
    ObjectMapper mapper;

    private ObjectMapper snakeCase;

    @jakarta.annotation.PostConstruct
    void init() {
        snakeCase = mapper.copy().setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);
    }

    @GET
    @Path("/campaigns/{id}")
    public Map<String, Object> campaign(@PathParam("id") String id) {
        Campaign c = campaigns.find(id).orElseThrow(() -> new NotFoundException("unknown campaign " + id));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("campaign_id", c.campaignId());
        out.put("dataset_id", c.datasetId());
        out.put("vendor", c.vendor());
        out.put("status", c.status());
        out.put("annotation_type", c.annotationType());
        out.put("target_label_set", c.targetLabelSet());
        out.put("tasks", campaigns.tasks(id).stream().map(CampaignResource::task).toList());
        out.put("accepted_labels", annotations.accepted(id).stream().map(this::accepted).toList());
        out.put("annotators", annotations.scores(id).stream().map(CampaignResource::score).toList());
        return out;
    }

    /** An accepted label, its answer as the JSON object it is (not a string holding JSON). */
    private Map<String, Object> accepted(AnnotationRepository.Accepted a) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("frame_id", a.frameId());
        out.put("answer", answer(a.answerJson()));
        out.put("method", a.method());
        out.put("confidence", a.confidence());
        return out;
    }

    /** The stored answer (an {@link Answer} as the bridge keeps it) in the API's snake_case. */
    private JsonNode answer(String json) {
        if (json == null) {
            return null;
        }
        try {
            return snakeCase.valueToTree(mapper.readValue(json, Answer.class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored answer is not an Answer", e);
        }
    }

    private static Map<String, Object> score(AnnotationRepository.Score s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("annotator_id", s.annotatorId());
        out.put("labels", s.labels());
        out.put("agreement", s.agreement());
        out.put("gold_total", s.goldTotal());
        out.put("gold_correct", s.goldCorrect());
        out.put("estimated_accuracy", s.estimatedAccuracy());
        out.put("accepted", s.accepted());
        return out;
    }

    private static Map<String, Object> history(CampaignRepository.HistoryEntry h) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("from_state", h.fromState());
        out.put("to_state", h.toState());
        out.put("reason", h.reason());
        out.put("at", h.at());
        return out;
    }

    @GET
    @Path("/tasks/{id}")
    public Map<String, Object> task(@PathParam("id") String id) {
        Task t = campaigns.task(id).orElseThrow(() -> new NotFoundException("unknown task " + id));
        Map<String, Object> out = task(t);
        out.put("frames", campaigns.framesOfTask(id).stream().map(f -> f.frameId()).toList());
        out.put("answers", annotations.countForTask(id));
        out.put("history", campaigns.history(id).stream().map(CampaignResource::history).toList());
        List<Map<String, Object>> deliveries = outbox.forTask(id).stream().map(e -> {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("task_version", e.taskVersion());
            d.put("status", e.status());
            d.put("attempts", e.attempts());
            d.put("next_attempt_at", e.nextAttemptAt());
            d.put("last_error", e.lastError());
            return d;
        }).toList();
        out.put("deliveries", deliveries);
        return out;
    }

    private static Map<String, Object> task(Task t) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("task_id", t.taskId());
        out.put("campaign_id", t.campaignId());
        out.put("state", t.state().db());
        out.put("version", t.version());
        out.put("vendor", t.vendor());
        out.put("vendor_task_ref", t.vendorTaskRef());
        out.put("reason", t.reason());
        return out;
    }
}
