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
 * @param contentHash  fingerprint of the content the vector was computed from (see
 *                     {@code EmbeddingPipeline.fingerprint}), or null when unknown (supplied or trained vectors): a
 *                     replayed frame whose fingerprint matches the stored one is not embedded or announced again
 */
public record VectorRecord(String frameId, String modelVersion, String datasetId, String split,
                           String label, String prediction, boolean labeled, String labelerId, float[] vector,
                           String contentHash) {

    /** A row without a content fingerprint. */
    public VectorRecord(String frameId, String modelVersion, String datasetId, String split, String label,
                        String prediction, boolean labeled, String labelerId, float[] vector) {
        this(frameId, modelVersion, datasetId, split, label, prediction, labeled, labelerId, vector, null);
    }

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
        return new VectorRecord(frameId, modelVersion, datasetId, split, label, prediction, labeled, labelerId, v,
                contentHash);
    }

    /** The same row with the scalar fields an update sets (its null components leave a field as it is). */
    public VectorRecord with(FieldUpdate u) {
        String newLabel = u.label() == null ? label : u.label();
        return new VectorRecord(frameId, modelVersion, datasetId, u.split() == null ? split : u.split(), newLabel,
                u.prediction() == null ? prediction : u.prediction(), newLabel != null,
                u.label() == null ? labelerId : u.labelerId(), vector, contentHash);
    }
}
