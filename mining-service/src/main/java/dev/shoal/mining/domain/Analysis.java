package dev.shoal.mining.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One analysis job and its state. */
public record Analysis(String id, String fingerprint, String datasetId, String labelSet, String modelId,
                       String modelVersion, String embeddingModelId, String embeddingModelVersion, List<String> kinds,
                       long watermark, String state, int percentDone, String error, Map<String, Object> summary,
                       Instant createdAt, Instant finishedAt, boolean reused, DataProgress data) {

    public static final String QUEUED = "queued";
    /** Mining's read model has not yet seen what upstream held when the request arrived. */
    public static final String WAITING_FOR_DATA = "waiting_for_data";
    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";

    public Analysis withReused(boolean r) {
        return new Analysis(id, fingerprint, datasetId, labelSet, modelId, modelVersion, embeddingModelId,
                embeddingModelVersion, kinds, watermark, state, percentDone, error, summary, createdAt, finishedAt, r, data);
    }

    public boolean hasModel() {
        return modelVersion != null && !modelVersion.isBlank();
    }

    public boolean hasEmbedding() {
        return embeddingModelVersion != null && !embeddingModelVersion.isBlank();
    }
}
