package dev.shoal.labeling.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.labeling.config.LabelingConfig;
import dev.shoal.labeling.domain.Answer;
import dev.shoal.labeling.domain.Campaign;
import dev.shoal.labeling.domain.CampaignFrame;
import dev.shoal.labeling.domain.QaEvaluator;
import dev.shoal.labeling.domain.Task;
import dev.shoal.labeling.domain.TaskState;
import dev.shoal.labeling.messaging.EventPublisher;
import dev.shoal.labeling.messaging.LabelMapper;
import dev.shoal.labeling.store.AnnotationRepository;
import dev.shoal.labeling.store.CampaignRepository;
import dev.shoal.labeling.store.OutboxRepository;
import dev.shoal.labeling.vendor.VendorAdapter;
import dev.shoal.labeling.vendor.Vendors;
import dev.shoal.proto.Envelopes;
import dev.shoal.proto.ingest.v1.IngestRequest;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.ingest.v1.UpsertLabelsRequest;
import dev.shoal.proto.labeling.v1.AnnotationType;
import dev.shoal.proto.labeling.v1.LabelingRequested;
import dev.shoal.proto.labeling.v1.LabelsAccepted;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Turns labeling requests into vendor tasks, and a finished campaign into accepted labels. */
@ApplicationScoped
public class CampaignService {

    private static final Logger LOG = Logger.getLogger(CampaignService.class);

    public enum Intake { CREATED, DUPLICATE_EVENT, EXISTING_CAMPAIGN }

    @Inject
    CampaignRepository campaigns;

    @Inject
    OutboxRepository outbox;

    @Inject
    AnnotationRepository annotations;

    @Inject
    Vendors vendors;

    @Inject
    CallbackUrls callbackUrls;

    @Inject
    LabelingConfig config;

    @Inject
    RetrainService retrain;

    @Inject
    ObjectMapper mapper;

    /**
     * Stores the campaign, groups its frames into tasks of {@code labeling.task-size}, and queues one dispatch per
     * task, all in one transaction. A replayed event or a second request for the same campaign id creates nothing.
     */
    @Transactional
    public Intake accept(LabelingRequested r, String topic) {
        String vendorName = validate(r);
        String eventId = r.hasEnvelope() ? r.getEnvelope().getEventId() : "";
        if (!eventId.isEmpty() && !campaigns.markProcessed(eventId, topic)) {
            return Intake.DUPLICATE_EVENT;
        }
        String labelSet = r.getTargetLabelSet().isBlank() ? "campaign-" + r.getCampaignId() : r.getTargetLabelSet();
        Campaign campaign = new Campaign(r.getCampaignId(), r.getDatasetId(), vendorName, annotationType(r.getAnnotationType()),
                List.copyOf(r.getLabelSchemaList()), Math.max(1, r.getAnnotatorsPerFrame()), r.getInstructions(), r.getSource(),
                labelSet, r.hasDeadline() ? Envelopes.instant(r.getDeadline()) : null, "open");
        if (!campaigns.insertIfAbsent(campaign, eventId.isEmpty() ? "none" : eventId)) {
            LOG.infof("campaign %s already exists; request %s ignored", r.getCampaignId(), eventId);
            return Intake.EXISTING_CAMPAIGN;
        }
        LabelingConfig.Vendor vendor = vendors.config(vendorName).orElseThrow();
        VendorAdapter adapter = vendors.adapter(vendor);
        int size = Math.max(1, config.taskSize());
        List<dev.shoal.proto.labeling.v1.CampaignFrame> frames = r.getFramesList();
        for (int start = 0, group = 0; start < frames.size(); start += size, group++) {
            String taskId = r.getCampaignId() + ".g" + group;
            Task task = new Task(taskId, r.getCampaignId(), group, vendorName, TaskState.CREATED, 1, null, null, null, null);
            campaigns.insertTask(task);
            campaigns.recordHistory(taskId, null, TaskState.CREATED, "campaign " + r.getCampaignId() + " group " + group);
            List<CampaignFrame> taskFrames = new ArrayList<>();
            for (int i = start; i < Math.min(frames.size(), start + size); i++) {
                var f = frames.get(i);
                CampaignFrame cf = new CampaignFrame(f.getFrameId(), taskId, List.copyOf(f.getUrisList()),
                        f.getGoldClass().isBlank() ? null : f.getGoldClass());
                campaigns.insertFrame(r.getCampaignId(), cf, i, group, f.getReason(), f.getScore());
                taskFrames.add(cf);
            }
            VendorAdapter.Outbound o = adapter.task(vendorName, vendor, campaign, task, taskFrames, callbackUrls.forVendor(vendorName));
            outbox.add(OutboxRepository.Entry.http("dispatch:" + taskId + ":" + task.version(), "dispatch", taskId,
                    task.version(), vendorName, "vendor", o.url(), o.body()));
        }
        LOG.infof("campaign %s: %d frames in %d tasks for vendor %s", r.getCampaignId(), frames.size(),
                (frames.size() + size - 1) / size, vendorName);
        return Intake.CREATED;
    }

    /** Checks the request; returns the vendor name it goes to. */
    String validate(LabelingRequested r) {
        if (r.getCampaignId().isBlank()) {
            throw new InvalidCampaign("campaign_id is required");
        }
        if (!r.getCampaignId().matches("[A-Za-z0-9._:-]{1,128}")) {
            throw new InvalidCampaign("campaign_id must match [A-Za-z0-9._:-]{1,128}");
        }
        if (r.getDatasetId().isBlank()) {
            throw new InvalidCampaign("dataset_id is required");
        }
        if (r.getFramesCount() == 0) {
            throw new InvalidCampaign("frames must not be empty");
        }
        if (r.getAnnotatorsPerFrame() < 0) {
            throw new InvalidCampaign("annotators_per_frame must be >= 1");
        }
        AnnotationType type = r.getAnnotationType();
        if (type == AnnotationType.UNRECOGNIZED) {
            throw new InvalidCampaign("annotation_type is not a known value");
        }
        if ((type == AnnotationType.ANNOTATION_TYPE_CLASSIFICATION || type == AnnotationType.ANNOTATION_TYPE_UNSPECIFIED)
                && r.getLabelSchemaCount() == 0) {
            throw new InvalidCampaign("label_schema must name the classes of a classification campaign");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < r.getFramesCount(); i++) {
            var f = r.getFrames(i);
            if (f.getFrameId().isBlank()) {
                throw new InvalidCampaign("frames[" + i + "].frame_id is required");
            }
            if (!seen.add(f.getFrameId())) {
                throw new InvalidCampaign("frames[" + i + "].frame_id " + f.getFrameId() + " appears twice");
            }
            if (f.getUrisCount() == 0) {
                throw new InvalidCampaign("frames[" + i + "].uris must not be empty");
            }
            if (!f.getGoldClass().isBlank() && r.getLabelSchemaCount() > 0 && !r.getLabelSchemaList().contains(f.getGoldClass())) {
                throw new InvalidCampaign("frames[" + i + "].gold_class " + f.getGoldClass() + " is not in label_schema");
            }
        }
        String vendor = vendors.resolveName(r.getVendor());
        if (vendors.config(vendor).isEmpty()) {
            throw new InvalidCampaign("vendor " + vendor + " is not configured (labeling.vendors." + vendor + ".*)");
        }
        return vendor;
    }

    static String annotationType(AnnotationType t) {
        return switch (t) {
            case ANNOTATION_TYPE_BOXES -> "boxes";
            case ANNOTATION_TYPE_POLYGONS -> "polygons";
            default -> "classification";
        };
    }

    /**
     * Finishes the campaign when every task is terminal: QA, accepted labels, events, retraining policy.
     * The caller holds the campaign row lock, so this runs once per campaign.
     */
    void finishIfDone(Campaign campaign) {
        if (!"open".equals(campaign.status())) {
            return;
        }
        List<Task> tasks = campaigns.tasks(campaign.campaignId());
        if (tasks.stream().anyMatch(t -> !t.state().terminal())) {
            return;
        }
        int completed = (int) tasks.stream().filter(t -> t.state() == TaskState.COMPLETED).count();
        List<CampaignFrame> frames = campaigns.frames(campaign.campaignId());
        List<QaEvaluator.Given> given = new ArrayList<>();
        for (AnnotationRepository.Stored s : annotations.forCampaign(campaign.campaignId())) {
            given.add(new QaEvaluator.Given(s.frameId(), s.annotatorId(), readAnswer(s.answerJson())));
        }
        QaEvaluator.Outcome qa = QaEvaluator.evaluate(new QaEvaluator.Input(campaign.annotationType(), campaign.labelSchema(),
                frames, given, config.qa().dawidSkeneMinOverlap(), config.qa().minGoldAccuracy()));
        for (QaEvaluator.FrameConsensus f : qa.frames()) {
            annotations.saveAccepted(campaign.campaignId(), f.frameId(), writeAnswer(f.consensus()), f.method(), f.confidence());
        }
        for (QaEvaluator.AnnotatorQa a : qa.annotators()) {
            annotations.saveScore(campaign.campaignId(), a.annotatorId(), a.labels(), nanToNull(a.agreement()), a.goldTotal(),
                    a.goldCorrect(), nanToNull(a.estimatedAccuracy()), a.accepted());
        }
        publish(campaign, qa, completed, tasks.size() - completed);
        campaigns.finish(campaign.campaignId(), completed > 0 ? "completed" : "failed");
        LOG.infof("campaign %s finished: %d/%d tasks completed, %d frames accepted (%s)", campaign.campaignId(), completed,
                tasks.size(), qa.frames().size(), qa.method());
        if (completed > 0) {
            retrain.onCampaignFinished(campaign, qa.frames().size());
        }
    }

    private void publish(Campaign c, QaEvaluator.Outcome qa, int completed, int failed) {
        String consensusId = config.publish().consensusLabelerId();
        String eventId = uuid("labels-accepted:" + c.campaignId());
        LabelsAccepted.Builder event = LabelsAccepted.newBuilder()
                .setEnvelope(Envelopes.create(EventPublisher.PRODUCER, c.datasetId(), c.campaignId(), c.campaignId()).toBuilder()
                        .setEventId(eventId))
                .setCampaignId(c.campaignId()).setDatasetId(c.datasetId()).setLabelSet(c.targetLabelSet()).setVendor(c.vendor())
                .setTasksCompleted(completed).setTasksFailed(failed);
        List<Label> labels = new ArrayList<>();
        for (QaEvaluator.FrameConsensus f : qa.frames()) {
            event.addLabels(LabelMapper.accepted(c.datasetId(), c.targetLabelSet(), consensusId.isBlank() ? "consensus" : consensusId, f));
            for (QaEvaluator.Given g : f.accepted()) {
                labels.add(LabelMapper.label(c.datasetId(), f.frameId(), g.annotatorId(), c.targetLabelSet(), g.answer()));
            }
            if (!consensusId.isBlank()) {
                labels.add(LabelMapper.label(c.datasetId(), f.frameId(), consensusId, c.targetLabelSet(), f.consensus()));
            }
        }
        qa.annotators().forEach(a -> event.addAnnotators(LabelMapper.score(a)));
        outbox.add(OutboxRepository.Entry.kafka("event:labels-accepted:" + c.campaignId(), EventPublisher.LABELS_ACCEPTED,
                c.campaignId(), LabelsAccepted.getDescriptor().getFullName(), eventId, event.build().toByteArray()));
        int chunk = Math.max(1, config.publish().labelsPerIngestRequest());
        for (int start = 0, k = 0; start < labels.size(); start += chunk, k++) {
            String requestId = "labeling-bridge:" + c.campaignId() + ":" + k;
            IngestRequest request = IngestRequest.newBuilder().setRequestId(requestId)
                    .setUpsertLabels(UpsertLabelsRequest.newBuilder().addAllLabels(labels.subList(start, Math.min(labels.size(), start + chunk))))
                    .build();
            outbox.add(OutboxRepository.Entry.kafka("event:ingest:" + c.campaignId() + ":" + k, EventPublisher.INGEST_REQUESTS,
                    c.datasetId(), IngestRequest.getDescriptor().getFullName(), uuid(requestId), request.toByteArray()));
        }
    }

    static String uuid(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static Double nanToNull(double v) {
        return Double.isNaN(v) ? null : v;
    }

    public Answer readAnswer(String json) {
        try {
            return mapper.readValue(json, Answer.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored answer unreadable: " + e.getOriginalMessage(), e);
        }
    }

    public String writeAnswer(Answer a) {
        try {
            return mapper.writeValueAsString(a);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
