package dev.shoal.mining.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

@ConfigMapping(prefix = "shoal.mining")
public interface MiningConfig {

    /** Threads that run analyses. */
    @WithDefault("1")
    int workerThreads();

    /** Rows per page when streaming from PostgreSQL. */
    @WithDefault("2000")
    int pageSize();

    /** Neighbours per frame in the shared k-NN graph (out-of-sample k-NN probabilities, LOF, UMAP...). */
    @WithDefault("15")
    int knnK();

    /** How out-of-sample probabilities are computed from embeddings when there are no inferences: knn | probe. */
    @WithDefault("knn")
    String oosMethod();

    /**
     * The floor of the near-duplicate threshold: a frame joins a group when its cosine similarity to the group's
     * representative is at least max(this, the adaptive threshold of {@link #duplicateRelativeDistance()}).
     */
    @WithDefault("0.98")
    double duplicateSimilarity();

    /**
     * The adaptive near-duplicate threshold is 1 - this x the median nearest-neighbour cosine distance of the vectors
     * (a duplicate is this much closer than frames usually are to their nearest neighbour); 0 = the floor alone.
     */
    @WithDefault("0.25")
    double duplicateRelativeDistance();

    /** Outliers kept per analysis: this share of the frames (at least 100). */
    @WithDefault("0.05")
    double outlierShare();

    /** HDBSCAN smallest cluster; 0 = max(10, min(200, n / 100)). */
    @WithDefault("0")
    int hdbscanMinClusterSize();

    /** k-means clusters; 0 = clamp(sqrt(n / 2), 2, 100). */
    @WithDefault("0")
    int kmeansK();

    /** UMAP SGD epochs; 0 = umap-learn's default (500 up to 10k points, else 200). */
    @WithDefault("0")
    int umapEpochs();

    EmbeddingService embeddingService();

    IngestService ingestService();

    Freshness freshness();

    /** ingest-service's REST API: its dataset counts tell how far behind the read model is. */
    interface IngestService {
        /** Base URL, e.g. http://127.0.0.1:8081. */
        @WithDefault("http://127.0.0.1:8081")
        String url();

        /** Deadline of one counts call (also used for embedding-service's CountVectors). */
        @WithDefault("PT5S")
        Duration timeout();
    }

    /** How an analysis waits for the data upstream held when it was requested. */
    interface Freshness {
        /** Longest wait before the analysis runs on what is there and says it is partial. */
        @WithDefault("PT10M")
        Duration maxWait();

        /** How often the read model's counts are compared while waiting. */
        @WithDefault("PT0.5S")
        Duration pollInterval();
    }

    Triage triage();

    /** What a {@code label_wrong} triage writes back to ingest. */
    interface Triage {
        /** The corrected label goes to the label set followed by this suffix ({@code v1} -> {@code v1+triage}). */
        @WithDefault("+triage")
        String labelSetSuffix();

        /** The corrected label's labeler_id when the triage names none. */
        @WithDefault("triage")
        String labelerId();
    }

    GraphCache graphCache();

    /** Normalised vectors + k-NN graph kept between analyses of the same vector set (service/VectorSetCache). */
    interface GraphCache {
        /** Vector sets kept at most (least recently used evicted first); 0 = no cache. */
        @WithDefault("2")
        int maxEntries();

        /** Before loading a vector set that is not cached, idle entries are dropped when this share of the heap is in use. */
        @WithDefault("0.6")
        double maxHeapFraction();
    }

    interface EmbeddingService {
        /** Deadline of one export or search call. */
        @WithDefault("PT60S")
        Duration timeout();
    }
}
