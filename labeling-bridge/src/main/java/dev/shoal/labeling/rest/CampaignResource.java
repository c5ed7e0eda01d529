package dev.shoal.labeling.rest;

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

/** Read side for people and tests: campaigns with their tasks and QA, tasks with their full history. */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class CampaignResource {

    @Inject
    CampaignRepository campaigns;

    @Inject
    AnnotationRepository annotations;

    @Inject
    OutboxRepository outbox;

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
        out.put("accepted_labels", annotations.accepted(id));
        out.put("annotators", annotations.scores(id));
        return out;
    }

    @GET
    @Path("/tasks/{id}")
    public Map<String, Object> task(@PathParam("id") String id) {
        Task t = campaigns.task(id).orElseThrow(() -> new NotFoundException("unknown task " + id));
        Map<String, Object> out = task(t);
        out.put("frames", campaigns.framesOfTask(id).stream().map(f -> f.frameId()).toList());
        out.put("answers", annotations.countForTask(id));
        out.put("history", campaigns.history(id));
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
