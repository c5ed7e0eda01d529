package dev.shoal.embedding.store;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The one vector-store interface (STYLE.md #15). Implementations: the embedded on-disk HNSW index
 * ({@code embedded.LuceneVectorStore}, default for {@code ./shoal up} and tests) and Milvus
 * ({@code milvus.MilvusVectorStore}, production). Both pass the same contract test suite
 * ({@code VectorStoreContract}).
 *
 * <p>Rows are keyed by {@code frameId:modelVersion}; {@link #upsert} overwrites, it never duplicates. All vectors
 * of one model version have one dimension; several model versions (and dimensions) live side by side.
 * Similarity is cosine. Writes are visible to the next search, get, count or export made after
 * {@code upsert} returns. Implementations are thread safe.
 */
public interface VectorStore extends AutoCloseable {

    /**
     * Inserts or overwrites rows (idempotent). The whole batch is validated first: a blank frame id or model
     * version, an empty, zero, non-finite vector, or a dimension other than the model version's, fails the batch
     * with an {@link IllegalArgumentException} naming the row and field, before anything is written.
     */
    void upsert(List<VectorRecord> records);

    /** The k nearest neighbours of {@code query.vector()} that pass its filter, most similar first. */
    List<SearchHit> search(SearchQuery query);

    Optional<VectorRecord> get(String frameId, String modelVersion);

    /** The dimension of a model version's vectors, or empty when the store holds none of them. */
    OptionalInt dimension(String modelVersion);

    /**
     * Every row of a dataset and model version (null = any), lazily, in bounded memory. The stream holds
     * resources (a searcher, a server cursor): close it, e.g. with try-with-resources.
     */
    Stream<VectorRecord> export(String datasetId, String modelVersion);

    /** Streams every row of a dataset and model version to {@code sink}, in bounded memory. */
    default void export(String datasetId, String modelVersion, Consumer<VectorRecord> sink) {
        try (Stream<VectorRecord> rows = export(datasetId, modelVersion)) {
            rows.forEach(sink);
        }
    }

    /** Rows of a dataset and model version; a null argument matches any. */
    long count(String datasetId, String modelVersion);

    /** A short name for health checks and logs ("embedded-hnsw", "milvus"). */
    String kind();

    @Override
    void close();
}
