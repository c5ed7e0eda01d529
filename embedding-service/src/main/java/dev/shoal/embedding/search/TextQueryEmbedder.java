package dev.shoal.embedding.search;

/**
 * Embeds a text query with the service's text model. The implementation ({@link RegistryTextQueryEmbedder})
 * sits on the embedding pipeline's model registry; without one, text search answers "text model not loaded".
 */
public interface TextQueryEmbedder {

    /** A text's vector and the model version that made it. */
    record Embedded(float[] vector, String modelVersion) {
    }

    /** @throws SearchException UNAVAILABLE when no text model is loaded or it fails */
    Embedded embed(String text);
}
