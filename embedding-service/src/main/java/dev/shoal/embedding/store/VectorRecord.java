package dev.shoal.embedding.store;

/**
 * One stored vector and the scalar fields searches filter on.
 *
 * @param label       the class label, if the frame is labeled (null otherwise)
 * @param prediction  the model's top predicted class, if known
 * @param labelerId   who drew the label, if known
 */
public record VectorRecord(String frameId, String modelVersion, String datasetId, String split,
                           String label, String prediction, boolean labeled, String labelerId, float[] vector) {

    public String key() {
        return key(frameId, modelVersion);
    }

    public static String key(String frameId, String modelVersion) {
        return frameId + ":" + modelVersion;
    }
}
