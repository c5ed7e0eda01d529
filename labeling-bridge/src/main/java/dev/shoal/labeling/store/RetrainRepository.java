package dev.shoal.labeling.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Retraining policy counters, retrain requests, and the model versions that answer them. */
@ApplicationScoped
public class RetrainRepository {

    @Inject
    Jdbc jdbc;

    /** Adds accepted labels to the dataset's counter and returns the new total. */
    public int addCorrected(String datasetId, int n) {
        return jdbc.one("""
                INSERT INTO dataset_counter (dataset_id, corrected_labels) VALUES (?, ?)
                ON CONFLICT (dataset_id) DO UPDATE SET corrected_labels = dataset_counter.corrected_labels + EXCLUDED.corrected_labels
                RETURNING corrected_labels""", rs -> rs.getInt(1), datasetId, n).orElseThrow();
    }

    public void resetCorrected(String datasetId) {
        jdbc.update("UPDATE dataset_counter SET corrected_labels = 0 WHERE dataset_id = ?", datasetId);
    }

    public record Request(String requestId, String datasetId, String labelSet, String reason, String campaignId,
                          int correctedLabels, String baseModelId, String baseModelVersion, String webhookStatus,
                          String webhookError, Instant createdAt) {
    }

    public boolean insert(Request r) {
        return jdbc.update("""
                INSERT INTO retrain_request (request_id, dataset_id, label_set, reason, campaign_id, corrected_labels,
                                             base_model_id, base_model_version, webhook_status)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                r.requestId(), r.datasetId(), r.labelSet(), r.reason(), r.campaignId(), r.correctedLabels(),
                r.baseModelId(), r.baseModelVersion(), r.webhookStatus()) == 1;
    }

    public Optional<Request> find(String requestId) {
        return jdbc.one("SELECT * FROM retrain_request WHERE request_id = ?", RetrainRepository::request, requestId);
    }

    public List<Request> forDataset(String datasetId) {
        return jdbc.query("SELECT * FROM retrain_request WHERE dataset_id = ? ORDER BY created_at", RetrainRepository::request, datasetId);
    }

    public void webhookOutcome(String requestId, String status, String error) {
        jdbc.update("UPDATE retrain_request SET webhook_status = ?, webhook_error = ? WHERE request_id = ?", status, error, requestId);
    }

    public record ModelVersionSeen(String datasetId, String modelId, String version, String parentVersion,
                                   String retrainRequestId, Instant registeredAt) {
    }

    public void upsertModelVersion(ModelVersionSeen m) {
        jdbc.update("""
                INSERT INTO model_version (dataset_id, model_id, version, parent_version, retrain_request_id)
                VALUES (?, ?, ?, ?, ?) ON CONFLICT (dataset_id, model_id, version) DO UPDATE
                  SET parent_version = EXCLUDED.parent_version,
                      retrain_request_id = COALESCE(EXCLUDED.retrain_request_id, model_version.retrain_request_id)""",
                m.datasetId(), m.modelId(), m.version(), m.parentVersion(), m.retrainRequestId());
    }

    /** The most recently registered model version of a dataset: the base a retrain request starts from. */
    public Optional<ModelVersionSeen> latestModel(String datasetId) {
        return jdbc.one("SELECT * FROM model_version WHERE dataset_id = ? ORDER BY registered_at DESC, version DESC LIMIT 1",
                RetrainRepository::model, datasetId);
    }

    public List<ModelVersionSeen> answers(String requestId) {
        return jdbc.query("SELECT * FROM model_version WHERE retrain_request_id = ? ORDER BY registered_at",
                RetrainRepository::model, requestId);
    }

    static Request request(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Request(rs.getString("request_id"), rs.getString("dataset_id"), rs.getString("label_set"),
                rs.getString("reason"), rs.getString("campaign_id"), rs.getInt("corrected_labels"),
                rs.getString("base_model_id"), rs.getString("base_model_version"), rs.getString("webhook_status"),
                rs.getString("webhook_error"), Jdbc.instant(rs, "created_at"));
    }

    static ModelVersionSeen model(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new ModelVersionSeen(rs.getString("dataset_id"), rs.getString("model_id"), rs.getString("version"),
                rs.getString("parent_version"), rs.getString("retrain_request_id"), Jdbc.instant(rs, "registered_at"));
    }
}
