package dev.shoal.embedding.store;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
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

    /**
     * The stored rows of these frames under one model version, keyed by frame id, with their scalar fields and
     * content fingerprint but WITHOUT their vectors ({@code vector() == null}): the cheap batched lookup the
     * pipeline uses to recognise replays. Frames without a row are absent from the map.
     */
    default Map<String, VectorRecord> scalars(String modelVersion, Collection<String> frameIds) {
        Map<String, VectorRecord> out = new LinkedHashMap<>();
        for (String id : frameIds) {
            get(id, modelVersion).ifPresent(r -> out.put(id, r.withVector(null)));
        }
        return out;
    }

    /**
     * Overwrites scalar fields (label, labeled flag, labeler, prediction, split) of every stored row of a frame,
     * whatever its model version, keeping each row's vector and content fingerprint. A frame with no row yet is
     * left alone (0 is returned): the pipeline reads the current label and prediction when it writes a vector.
     * Visible to reads made after it returns, like {@link #upsert}.
     *
     * @return the rows changed (rows that already had these values are not counted)
     * @throws IllegalArgumentException when {@code frameId} is blank
     */
    long updateFields(String datasetId, String frameId, FieldUpdate update);

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

    /**
     * Completes once every write acknowledged before this call (upserts, field updates) would survive a crash of this
     * process. The consumer loops commit a record's Kafka offset only then, so an offset is never committed ahead of
     * its vector. The default is for stores whose writes are durable when they return (Milvus acknowledges an upsert
     * once it is in its write-ahead log, per its documentation; not tested here, no Milvus runs in this project's
     * builds); the embedded store completes it at its next commit. It may complete
     * exceptionally when that commit fails.
     */
    default CompletableFuture<Void> whenDurable() {
        return CompletableFuture.completedFuture(null);
    }

    /** Rows of a dataset and model version; a null argument matches any. */
    long count(String datasetId, String modelVersion);

    /** A short name for health checks and logs ("embedded-hnsw", "milvus"). */
    String kind();

    @Override
    void close();
}
