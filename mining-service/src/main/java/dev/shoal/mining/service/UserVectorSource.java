package dev.shoal.mining.service;

import dev.shoal.mining.config.MiningConfig;
import dev.shoal.mining.store.EmbeddingRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Collection;
import java.util.function.BiConsumer;

/** User-supplied vectors, held in mining's own embedding table (from EmbeddingSupplied events). */
@ApplicationScoped
public class UserVectorSource implements VectorSource {

    @Inject
    EmbeddingRepository embeddings;

    @Inject
    MiningConfig config;

    @Override
    public String source() {
        return "user";
    }

    @Override
    public void stream(String datasetId, String modelId, String modelVersion, BiConsumer<String, float[]> sink) {
        embeddings.streamUserVectors(datasetId, modelId, modelVersion, config.pageSize(), sink);
    }

    @Override
    public void fetch(String datasetId, String modelId, String modelVersion, Collection<String> frameIds,
                      BiConsumer<String, float[]> sink) {
        embeddings.fetchUserVectors(datasetId, modelId, modelVersion, frameIds, sink);
    }
}
