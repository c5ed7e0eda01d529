package dev.shoal.embedding.store;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The one vector-store interface (STYLE.md #15). Implementations: the embedded on-disk HNSW index (default for
 * {@code ./shoal up} and tests) and Milvus (production). Both pass the same contract test suite.
 *
 * <p>Rows are keyed by {@code frameId:modelVersion}; {@link #upsert} overwrites, it never duplicates.
 */
public interface VectorStore extends AutoCloseable {

    /** Inserts or overwrites rows (idempotent). All vectors of one model version have one dimension. */
    void upsert(List<VectorRecord> records);

    /** k nearest neighbours (cosine similarity, highest first) of {@code query.vector()} that pass its filter. */
    List<SearchHit> search(SearchQuery query);

    Optional<VectorRecord> get(String frameId, String modelVersion);

    /** Streams every row of a dataset and model version to {@code sink}, in bounded memory. */
    void export(String datasetId, String modelVersion, Consumer<VectorRecord> sink);

    long count(String datasetId, String modelVersion);

    /** A short name for health checks and logs ("embedded-hnsw", "milvus"). */
    String kind();

    @Override
    void close();
}
