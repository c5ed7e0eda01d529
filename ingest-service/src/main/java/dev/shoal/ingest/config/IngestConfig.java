package dev.shoal.ingest.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

@ConfigMapping(prefix = "shoal.ingest")
public interface IngestConfig {

    /** Rows one batch call may carry; more is refused with 400 naming the limit. */
    @WithDefault("20000")
    int maxRowsPerBatch();

    /** Class probabilities must sum to 1 within this. */
    @WithDefault("0.001")
    double probabilityTolerance();

    /** Boxes and polygons may stick out of the image by this many pixels (rounding of tools). */
    @WithDefault("0.5")
    double boxTolerancePx();

    /** How long a batch waits for the broker to acknowledge its events before it fails (and rolls back). */
    @WithDefault("15s")
    Duration publishTimeout();

    /**
     * After a publish failed, requests are refused at once (503, Retry-After) for this long instead of each waiting
     * for the publish timeout while the broker is away.
     */
    @WithDefault("5s")
    Duration brokerRetryAfter();

    /**
     * Remember the frames this process committed, so that their labels and inferences skip the frame-existence read
     * (bounded; see CatalogRepository#knownFrame). Off: every batch reads its frames from PostgreSQL.
     */
    @WithDefault("true")
    boolean rememberCommittedFrames();

    /** The producer of catalog events. */
    Events events();

    interface Events {
        /** How long the producer waits to fill a batch. */
        @WithDefault("5")
        int lingerMs();

        @WithDefault("262144")
        int batchSize();

        /**
         * none, gzip, snappy, lz4 or zstd. Default none: on the 2-core box lz4 cost the service ~20 CPU µs per ingested
         * frame and saved the broker nothing measurable (docs/benchmarks/ingest.md); compress where network or disk limits.
         */
        @WithDefault("none")
        String compression();
    }
}
