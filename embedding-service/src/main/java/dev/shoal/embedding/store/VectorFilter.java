package dev.shoal.embedding.store;

import java.util.Set;

/**
 * Which rows a search, count or export may return. A null field matches everything.
 *
 * @param labeled         TRUE = labeled frames only, FALSE = the unlabeled pool only, null = both
 * @param label           the class label a frame must carry
 * @param prediction      the class the model must have predicted
 * @param excludeFrameIds frames never returned (e.g. the query frames themselves); null or empty = none
 */
public record VectorFilter(String datasetId, String modelVersion, String split, Boolean labeled, String label,
                           String prediction, Set<String> excludeFrameIds) {

    private static final VectorFilter NONE = new VectorFilter(null, null, null, null, null, null, Set.of());

    public VectorFilter {
        excludeFrameIds = excludeFrameIds == null ? Set.of() : Set.copyOf(excludeFrameIds);
    }

    public static VectorFilter none() {
        return NONE;
    }

    public static VectorFilter of(String datasetId, String modelVersion) {
        return NONE.dataset(datasetId).modelVersion(modelVersion);
    }

    public VectorFilter dataset(String v) {
        return new VectorFilter(v, modelVersion, split, labeled, label, prediction, excludeFrameIds);
    }

    public VectorFilter modelVersion(String v) {
        return new VectorFilter(datasetId, v, split, labeled, label, prediction, excludeFrameIds);
    }

    public VectorFilter split(String v) {
        return new VectorFilter(datasetId, modelVersion, v, labeled, label, prediction, excludeFrameIds);
    }

    public VectorFilter labeled(Boolean v) {
        return new VectorFilter(datasetId, modelVersion, split, v, label, prediction, excludeFrameIds);
    }

    public VectorFilter label(String v) {
        return new VectorFilter(datasetId, modelVersion, split, labeled, v, prediction, excludeFrameIds);
    }

    public VectorFilter prediction(String v) {
        return new VectorFilter(datasetId, modelVersion, split, labeled, label, v, excludeFrameIds);
    }

    public VectorFilter excluding(Set<String> frameIds) {
        return new VectorFilter(datasetId, modelVersion, split, labeled, label, prediction, frameIds);
    }
}
