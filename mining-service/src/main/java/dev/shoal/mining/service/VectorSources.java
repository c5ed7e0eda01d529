package dev.shoal.mining.service;

import dev.shoal.mining.store.EmbeddingRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.util.Collection;
import java.util.Map;
import java.util.function.BiConsumer;

/** Picks the {@link VectorSource} for each embedding source present for a model: user table, computed export. */
@ApplicationScoped
public class VectorSources {

    @Inject
    Instance<VectorSource> sources;

    @Inject
    EmbeddingRepository embeddings;

    public void stream(String datasetId, String modelId, String modelVersion, BiConsumer<String, float[]> sink) {
        for (VectorSource s : present(datasetId, modelId, modelVersion)) {
            s.stream(datasetId, modelId, modelVersion, sink);
        }
    }

    public void fetch(String datasetId, String modelId, String modelVersion, Collection<String> frameIds,
                      BiConsumer<String, float[]> sink) {
        for (VectorSource s : present(datasetId, modelId, modelVersion)) {
            s.fetch(datasetId, modelId, modelVersion, frameIds, sink);
        }
    }

    /** True when every vector of the model is held in mining's own table. */
    public boolean allUserSupplied(String datasetId, String modelId, String modelVersion) {
        Map<String, Long> counts = embeddings.sources(datasetId, modelId, modelVersion);
        return !counts.isEmpty() && counts.keySet().stream().allMatch("user"::equals);
    }

    private java.util.List<VectorSource> present(String datasetId, String modelId, String modelVersion) {
        Map<String, Long> counts = embeddings.sources(datasetId, modelId, modelVersion);
        return sources.stream().filter(s -> counts.containsKey(s.source())).toList();
    }
}
