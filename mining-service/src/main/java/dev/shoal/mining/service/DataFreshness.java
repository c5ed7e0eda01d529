package dev.shoal.mining.service;

import dev.shoal.mining.store.DeadLetterRepository;
import dev.shoal.mining.store.ReadModelRepository;
import dev.shoal.proto.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Compares what upstream holds of a dataset with what mining's read model has seen. Counts are keyed
 * {@code frames}, {@code labels:<label_set>}, {@code inferences:<model_id>:<model_version>} and
 * {@code vectors:<model_id>:<model_version>}; an event mining dead-lettered will never arrive, so it counts as seen
 * (and is reported) instead of making an analysis wait for it.
 */
@ApplicationScoped
public class DataFreshness {

    public static final String FRAMES = "frames";
    public static final String LABELS = "labels:";
    public static final String INFERENCES = "inferences:";
    public static final String USER_EMBEDDINGS = "user_embeddings:";
    public static final String VECTORS = "vectors:";

    @Inject
    UpstreamCounts upstream;

    @Inject
    ReadModelRepository readModel;

    @Inject
    DeadLetterRepository deadLetters;

    /** The inputs of one analysis. Empty model / embedding ids mean the analysis does not use them. */
    public record Inputs(String datasetId, String labelSet, String modelId, String modelVersion, String embeddingModelId,
                         String embeddingModelVersion) {
        boolean hasModel() {
            return !modelVersion.isEmpty();
        }

        boolean hasEmbedding() {
            return !embeddingModelId.isEmpty() && !embeddingModelVersion.isEmpty();
        }
    }

    /**
     * What upstream holds of the analysis's inputs now; empty when ingest does not know the dataset.
     *
     * @throws UpstreamCounts.Unavailable when a service upstream cannot be asked
     */
    public Optional<Map<String, Long>> expected(Inputs in) {
        Optional<Map<String, Long>> ingest = upstream.ingest(in.datasetId());
        if (ingest.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Long> all = ingest.get();
        Map<String, Long> out = new TreeMap<>();
        out.put(FRAMES, all.getOrDefault(FRAMES, 0L));
        out.put(LABELS + in.labelSet(), all.getOrDefault(LABELS + in.labelSet(), 0L));
        if (in.hasModel()) {
            String k = in.modelId() + ":" + in.modelVersion();
            out.put(INFERENCES + k, all.getOrDefault(INFERENCES + k, 0L));
        }
        if (in.hasEmbedding()) {
            String k = in.embeddingModelId() + ":" + in.embeddingModelVersion();
            long user = all.getOrDefault(USER_EMBEDDINGS + k, 0L);
            long stored = upstream.vectors(in.datasetId(), in.embeddingModelId(), in.embeddingModelVersion());
            out.put(VECTORS + k, Math.max(user, stored));
        }
        return Optional.of(out);
    }

    /** Mining's counts of the same keys, each with the events of its topic that were dead-lettered added. */
    public Map<String, Long> seen(Inputs in, Map<String, Long> expected) {
        Map<String, Long> dead = deadLetters.countsByTopic(in.datasetId());
        Map<String, Long> out = new TreeMap<>();
        for (String key : expected.keySet()) {
            long have;
            long lost;
            if (key.equals(FRAMES)) {
                have = readModel.countFrames(in.datasetId());
                lost = dead.getOrDefault(Topics.FRAME_UPSERTED, 0L);
            } else if (key.startsWith(LABELS)) {
                have = readModel.countLabels(in.datasetId(), key.substring(LABELS.length()));
                lost = dead.getOrDefault(Topics.LABEL_UPSERTED, 0L);
            } else if (key.startsWith(INFERENCES)) {
                have = readModel.countInferences(in.datasetId(), in.modelId(), in.modelVersion());
                lost = dead.getOrDefault(Topics.INFERENCE_UPSERTED, 0L);
            } else {
                have = readModel.countEmbeddings(in.datasetId(), in.embeddingModelId(), in.embeddingModelVersion());
                lost = dead.getOrDefault(Topics.EMBEDDING_SUPPLIED, 0L) + dead.getOrDefault(Topics.EMBEDDING_COMPUTED, 0L);
            }
            out.put(key, have + lost);
        }
        return out;
    }
}
