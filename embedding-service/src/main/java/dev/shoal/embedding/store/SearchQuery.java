package dev.shoal.embedding.store;

/**
 * A k-NN query with filters. Null filter fields match everything.
 *
 * @param labeled  TRUE = labeled frames only, FALSE = unlabeled pool only, null = both
 */
public record SearchQuery(float[] vector, int k, String datasetId, String modelVersion, String split,
                          Boolean labeled, String label, java.util.Set<String> excludeFrameIds) {
}
