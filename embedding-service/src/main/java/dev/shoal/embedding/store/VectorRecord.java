package dev.shoal.embedding.store;

/**
 * One stored vector and the scalar fields searches filter on.
 *
 * @param modelVersion the model and its version, as the embedding pipeline writes it ({@code modelId@version})
 * @param split        train / validation / test / unlabeled, or null
 * @param label        the class label, if the frame is labeled (null otherwise)
 * @param prediction   the model's top predicted class, if known
 * @param labeled      whether the frame carries a label (the unlabeled pool is {@code false})
 * @param labelerId    who drew the label, if known
 */
public record VectorRecord(String frameId, String modelVersion, String datasetId, String split,
                           String label, String prediction, boolean labeled, String labelerId, float[] vector) {

    public String key() {
        return key(frameId, modelVersion);
    }

    public static String key(String frameId, String modelVersion) {
        return frameId + ":" + modelVersion;
    }

    public int dimension() {
        return vector == null ? 0 : vector.length;
    }

    /** The same row with another vector (e.g. without it: {@code null}). */
    public VectorRecord withVector(float[] v) {
        return new VectorRecord(frameId, modelVersion, datasetId, split, label, prediction, labeled, labelerId, v);
    }
}
