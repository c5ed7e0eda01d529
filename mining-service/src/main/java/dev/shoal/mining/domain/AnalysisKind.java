package dev.shoal.mining.domain;

import java.util.Arrays;
import java.util.Optional;

/** What an analysis computes; the wire names are the lower-case strings. */
public enum AnalysisKind {
    LABEL_ERRORS("label_errors"),
    DETECTION("detection"),
    CLUSTERS("clusters"),
    OUTLIERS("outliers"),
    DUPLICATES("duplicates"),
    MAP("map"),
    LABELER_QUALITY("labeler_quality");

    private final String wire;

    AnalysisKind(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<AnalysisKind> fromWire(String s) {
        return Arrays.stream(values()).filter(k -> k.wire.equals(s)).findFirst();
    }

    /** Kinds that read embedding vectors. */
    public boolean needsVectors() {
        return this == CLUSTERS || this == OUTLIERS || this == DUPLICATES || this == MAP;
    }

    /**
     * Kinds that use class probabilities: without a model's inferences they compute out-of-sample ones from the
     * embeddings (label_errors needs them; labeler_quality uses them when embeddings are named, else the answers alone).
     */
    public boolean usesProbabilities() {
        return this == LABEL_ERRORS || this == LABELER_QUALITY;
    }
}
