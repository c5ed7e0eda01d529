package dev.shoal.mining.service;

import dev.shoal.mining.store.DeadLetterRepository;
import dev.shoal.mining.store.ReadModelRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What each service has seen of a dataset: ingest-service's catalog, embedding-service's vector store (for the
 * embedding model versions mining knows of) and mining's read model, how far mining is behind, and the events
 * mining could not apply (dead letters, with their most frequent reasons).
 */
@ApplicationScoped
public class DatasetStateService {

    @Inject
    UpstreamCounts upstream;

    @Inject
    ReadModelRepository readModel;

    @Inject
    DeadLetterRepository deadLetters;

    public Map<String, Object> state(String datasetId) {
        Map<String, Long> mining = readModel.datasetCounts(datasetId);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dataset_id", datasetId);
        Map<String, Long> expected = new TreeMap<>();
        Map<String, String> errors = new TreeMap<>();
        try {
            Optional<Map<String, Long>> ingest = upstream.ingest(datasetId);
            if (ingest.isEmpty() && readModel.watermark(datasetId) == 0) {
                throw new NotFound("unknown dataset " + datasetId);
            }
            ingest.ifPresent(counts -> {
                out.put("ingest", counts);
                counts.forEach((k, v) -> expected.put(k.startsWith(DataFreshness.USER_EMBEDDINGS)
                        ? DataFreshness.VECTORS + k.substring(DataFreshness.USER_EMBEDDINGS.length()) : k, v));
            });
        } catch (UpstreamCounts.Unavailable e) {
            errors.put("ingest", e.getMessage());
        }
        Map<String, Long> vectors = new TreeMap<>();
        for (String key : mining.keySet()) {
            if (!key.startsWith(DataFreshness.VECTORS)) {
                continue;
            }
            String[] idVersion = key.substring(DataFreshness.VECTORS.length()).split(":", 2);
            try {
                long n = upstream.vectors(datasetId, idVersion[0], idVersion[1]);
                vectors.put(key, n);
                expected.merge(key, n, Math::max);
            } catch (UpstreamCounts.Unavailable e) {
                errors.put("embedding", e.getMessage());
                break;
            }
        }
        out.put("embedding", vectors);
        out.put("mining", mining);
        Map<String, Long> behind = new TreeMap<>();
        expected.forEach((k, v) -> {
            long missing = v - mining.getOrDefault(k, 0L);
            if (missing > 0) {
                behind.put(k, missing);
            }
        });
        Map<String, Long> dead = deadLetters.countsByTopic(datasetId);
        out.put("behind", behind);
        out.put("caught_up", behind.isEmpty() && errors.isEmpty());
        out.put("dead_letters", dead);
        out.put("dead_letter_reasons", deadLetters.topReasons(datasetId, 10));
        if (!errors.isEmpty()) {
            out.put("errors", errors);
        }
        return out;
    }
}
