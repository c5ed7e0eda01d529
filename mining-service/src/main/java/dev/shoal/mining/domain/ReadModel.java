package dev.shoal.mining.domain;

import java.util.List;
import java.util.Map;

/** Rows of the read model, as the consumers store them. */
public final class ReadModel {
    private ReadModel() {
    }

    public record FrameRow(String datasetId, String frameId, String split, List<String> uris, Map<String, String> metadata) {
    }

    /** kind: classification (className set) | boxes | polygons (shapesJson set). */
    public record LabelRow(String datasetId, String frameId, String labelSet, String labelerId, String kind,
                           String className, String shapesJson) {
    }

    /** kind: classification (classNames + probs) | boxes (shapesJson). */
    public record InferenceRow(String datasetId, String frameId, String modelId, String modelVersion, String kind,
                               List<String> classNames, float[] probs, String shapesJson) {
    }

    /** source: user (vector present) | computed (vector held by embedding-service, null here). */
    public record EmbeddingRow(String datasetId, String frameId, String modelId, String modelVersion, String source,
                               int dimension, float[] vector) {
    }

    /** A box as stored in shapes JSON (pixels, top-left + size); score only on predictions. */
    public record BoxShape(String cls, double x, double y, double w, double h, Double score) {
    }
}
