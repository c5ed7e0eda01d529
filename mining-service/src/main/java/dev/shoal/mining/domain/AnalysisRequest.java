package dev.shoal.mining.domain;

import java.util.List;

/**
 * POST /v1/analyses body (snake_case on the wire). Model and embedding fields are optional per kind; freshness is
 * {@code wait} (default) or {@code now}.
 */
public record AnalysisRequest(String datasetId, String labelSet, String modelId, String modelVersion,
                              String embeddingModelId, String embeddingModelVersion, List<String> kinds,
                              String freshness) {
}
