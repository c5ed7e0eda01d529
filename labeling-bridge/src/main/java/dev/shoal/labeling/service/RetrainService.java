package dev.shoal.labeling.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shoal.labeling.config.LabelingConfig;
import dev.shoal.labeling.domain.Campaign;
import dev.shoal.labeling.messaging.EventPublisher;
import dev.shoal.labeling.store.OutboxRepository;
import dev.shoal.labeling.store.RetrainRepository;
import dev.shoal.proto.Envelopes;
import dev.shoal.proto.ingest.v1.ModelVersionRegistered;
import dev.shoal.proto.labeling.v1.RetrainRequested;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

/**
 * The retraining policy per dataset (a campaign completed, or N accepted labels since the last request), the
 * RetrainRequested event and optional signed webhook, and the link from a later model version to its request.
 */
@ApplicationScoped
public class RetrainService {

    private static final Logger LOG = Logger.getLogger(RetrainService.class);

    @Inject
    LabelingConfig config;

    @Inject
    RetrainRepository repo;

    @Inject
    OutboxRepository outbox;

    @Inject
    ObjectMapper mapper;

    public LabelingConfig.Policy policy(String datasetId) {
        return config.retrain().datasets().getOrDefault(datasetId, config.retrain().defaults());
    }

    /** Runs inside the campaign-finishing transaction. */
    void onCampaignFinished(Campaign c, int acceptedLabels) {
        if (acceptedLabels <= 0) {
            return;
        }
        LabelingConfig.Policy policy = policy(c.datasetId());
        int total = repo.addCorrected(c.datasetId(), acceptedLabels);
        String reason = null;
        if (policy.onCampaignCompleted()) {
            reason = "campaign_completed:" + c.campaignId();
        } else if (policy.correctedLabels() > 0 && total >= policy.correctedLabels()) {
            reason = "corrected_labels>=" + policy.correctedLabels();
        }
        if (reason == null) {
            return;
        }
        String requestId = CampaignService.uuid("retrain:" + c.campaignId());
        var base = repo.latestModel(c.datasetId());
        boolean webhook = policy.webhookUrl().isPresent();
        RetrainRepository.Request request = new RetrainRepository.Request(requestId, c.datasetId(), c.targetLabelSet(), reason,
                c.campaignId(), total, base.map(RetrainRepository.ModelVersionSeen::modelId).orElse(null),
                base.map(RetrainRepository.ModelVersionSeen::version).orElse(null), webhook ? "pending" : "none", null, null);
        if (!repo.insert(request)) {
            return;
        }
        repo.resetCorrected(c.datasetId());
        RetrainRequested event = RetrainRequested.newBuilder()
                .setEnvelope(Envelopes.create(EventPublisher.PRODUCER, c.datasetId(), c.datasetId(), c.campaignId()).toBuilder()
                        .setEventId(requestId))
                .setRequestId(requestId).setDatasetId(c.datasetId()).setLabelSet(c.targetLabelSet()).setReason(reason)
                .setCampaignId(c.campaignId()).setCorrectedLabels(total)
                .setBaseModelId(nullToEmpty(request.baseModelId())).setBaseModelVersion(nullToEmpty(request.baseModelVersion()))
                .build();
        outbox.add(OutboxRepository.Entry.kafka("event:retrain:" + requestId, EventPublisher.RETRAIN_REQUESTED, c.datasetId(),
                RetrainRequested.getDescriptor().getFullName(), requestId, event.toByteArray()));
        if (webhook) {
            ObjectNode body = mapper.createObjectNode();
            body.put("request_id", requestId);
            body.put("dataset_id", c.datasetId());
            body.put("label_set", c.targetLabelSet());
            body.put("reason", reason);
            body.put("campaign_id", c.campaignId());
            body.put("corrected_labels", total);
            body.put("base_model_id", nullToEmpty(request.baseModelId()));
            body.put("base_model_version", nullToEmpty(request.baseModelVersion()));
            try {
                outbox.add(OutboxRepository.Entry.http("retrain-webhook:" + requestId, "retrain_webhook", null, null,
                        c.datasetId(), "retrain-hmac", policy.webhookUrl().get(), mapper.writeValueAsBytes(body)));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        LOG.infof("retraining requested for dataset %s (%s): request %s", c.datasetId(), reason, requestId);
    }

    /** Remembers every model version; one naming a retrain request becomes that request's answer. */
    @Transactional
    public void onModelVersion(ModelVersionRegistered event) {
        var mv = event.getModelVersion();
        if (mv.getDatasetId().isBlank() || mv.getModelId().isBlank() || mv.getVersion().isBlank()) {
            throw new IllegalArgumentException("model_version needs dataset_id, model_id and version");
        }
        String requestId = mv.getRetrainRequestId().isBlank() ? null : mv.getRetrainRequestId();
        repo.upsertModelVersion(new RetrainRepository.ModelVersionSeen(mv.getDatasetId(), mv.getModelId(), mv.getVersion(),
                mv.getParentVersion().isBlank() ? null : mv.getParentVersion(), requestId, null));
        if (requestId != null && repo.find(requestId).isEmpty()) {
            LOG.warnf("model %s:%s names retrain request %s, which this bridge did not issue; link kept",
                    mv.getModelId(), mv.getVersion(), requestId);
        }
    }

    @Transactional
    public void webhookOutcome(String requestId, long outboxId, boolean sent, String error) {
        if (sent) {
            outbox.markSent(outboxId);
        } else {
            outbox.markFailed(outboxId, error);
        }
        repo.webhookOutcome(requestId, sent ? "sent" : "failed", error);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
