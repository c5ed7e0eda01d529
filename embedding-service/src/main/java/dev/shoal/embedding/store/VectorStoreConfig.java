package dev.shoal.embedding.store;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Everything under {@code shoal.vector-store.*} (application.properties, "## Vector store"). */
@ConfigMapping(prefix = "shoal.vector-store")
public interface VectorStoreConfig {

    enum Kind { EMBEDDED, MILVUS }

    /** embedded (Lucene HNSW on disk; default) or milvus. */
    @WithDefault("embedded")
    Kind kind();

    /** Directory of the embedded index. */
    @WithDefault("target/vectors")
    String path();

    Hnsw hnsw();

    /**
     * Embedded only: how often writes are committed (made durable); they are also committed on shutdown. The
     * consumer loops commit the Kafka offsets of {@code FrameUpserted} / {@code EmbeddingSupplied} records only after the
     * store commit that covers their vectors ({@code VectorStore#whenDurable}), so a hard crash (kill -9, OOM) should
     * lose no vector whose offset was committed: the records after the committed offsets are delivered again. Tested at the store (the future completes
     * only once the commit on disk holds the rows), not by killing a running service. A longer interval means fewer commits and merges, and
     * offsets committed later (more records delivered again after a crash).
     */
    @WithDefault("PT5S")
    Duration commitInterval();

    Milvus milvus();

    interface Hnsw {
        /** M: neighbours per graph node. */
        @WithDefault("16")
        int m();

        /** efConstruction / beam width while inserting (64: see LuceneVectorStore.DEFAULT_BEAM_WIDTH). */
        @WithDefault("64")
        int beamWidth();

        /**
         * ef at query time: a query keeps max(k, ef) candidates (50: recall@10 0.9977 at 100k merged,
         * docs/benchmarks/ann.md).
         */
        @WithDefault("50")
        int efSearch();
    }

    interface Milvus {
        /** e.g. http://milvus:19530; required when kind=milvus. */
        Optional<String> uri();

        /** user:password or an API key; from the environment / a Secret, never committed. */
        Optional<String> token();

        /** Prefix of the collection names: one collection per dimension, {@code <collection>_d<dim>}. */
        @WithDefault("shoal_vectors")
        String collection();

        @WithDefault("8")
        int maxClients();
    }
}
