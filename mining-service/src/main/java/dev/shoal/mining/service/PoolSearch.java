package dev.shoal.mining.service;

import java.util.List;
import java.util.Set;

/** "Find more like this": nearest frames of the unlabeled pool to a query vector (cosine similarity). */
public interface PoolSearch {

    record Hit(String frameId, double similarity) {
    }

    List<Hit> similar(String datasetId, String modelId, String modelVersion, float[] query, int limit, Set<String> exclude);
}
