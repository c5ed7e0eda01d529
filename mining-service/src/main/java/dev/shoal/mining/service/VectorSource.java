package dev.shoal.mining.service;

import java.util.Collection;
import java.util.function.BiConsumer;

/**
 * Where the vectors of one embedding model come from. User-supplied embeddings are held in mining's own
 * table; computed ones are held by embedding-service and read through its export API.
 */
public interface VectorSource {

    /** "user" or "computed": the embedding.source values this source serves. */
    String source();

    /** Streams (frameId, vector) for every frame of the dataset that has a vector of this model, in bounded memory. */
    void stream(String datasetId, String modelId, String modelVersion, BiConsumer<String, float[]> sink);

    /** Vectors of the given frames (those that have one). */
    void fetch(String datasetId, String modelId, String modelVersion, Collection<String> frameIds, BiConsumer<String, float[]> sink);
}
