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

    EmbeddingService embeddingService();

    interface EmbeddingService {
        /** Base URL of embedding-service (REST). */
        @WithDefault("http://127.0.0.1:8082")
        String url();

        /** NDJSON export of one model's vectors: lines {"frame_id": "...", "vector": [...]}. */
        @WithDefault("/v1/vectors/export")
        String exportPath();

        /** Deadline of one export or search call. */
        @WithDefault("PT60S")
        Duration timeout();
    }
}
