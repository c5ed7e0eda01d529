package dev.shoal.mining.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One analysis job and its state. */
public record Analysis(String id, String fingerprint, String datasetId, String labelSet, String modelId,
                       String modelVersion, String embeddingModelId, String embeddingModelVersion, List<String> kinds,
                       long watermark, String state, int percentDone, String error, Map<String, Object> summary,
                       Instant createdAt, Instant finishedAt, boolean reused) {

    public static final String QUEUED = "queued";
    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";

    public Analysis withReused(boolean r) {
        return new Analysis(id, fingerprint, datasetId, labelSet, modelId, modelVersion, embeddingModelId,
                embeddingModelVersion, kinds, watermark, state, percentDone, error, summary, createdAt, finishedAt, r);
    }

    public boolean hasModel() {
        return modelVersion != null && !modelVersion.isBlank();
    }

    public boolean hasEmbedding() {
        return embeddingModelVersion != null && !embeddingModelVersion.isBlank();
    }
}
