package dev.shoal.ingest.domain;

import dev.shoal.proto.ingest.v1.Dataset;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** What validation needs to know about the stored catalog. */
public interface CatalogView {

    Optional<Dataset> dataset(String datasetId);

    /** The stored frames among {@code frameIds}, with their image size (0 = unknown). */
    Map<String, FrameSize> frames(String datasetId, Collection<String> frameIds);

    /**
     * Whether this process itself committed the frame (a frame is never deleted, so it still exists). False when
     * unknown: then {@link #frames} asks the store. Says nothing about the frame's current size.
     */
    default boolean knownFrame(String datasetId, String frameId) {
        return false;
    }

    /** The embedding dimension fixed for a model version: registered, or set by its first stored embedding. */
    OptionalInt embeddingDimension(String datasetId, String modelId, String modelVersion);

    record FrameSize(int width, int height) {
    }
}
