package dev.shoal.mining.service;

import dev.shoal.mining.store.CampaignRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Pool search behind one interface. User-supplied vectors: an exact scan of mining's own table keeping the top
 * {@code limit} by cosine similarity in a heap (memory O(limit) whatever the pool size; one pass per query).
 * Computed vectors: embedding-service's ANN search ({@link EmbeddingServicePoolSearch}).
 */
@ApplicationScoped
public class VectorScanPoolSearch implements PoolSearch {

    @Inject
    VectorSources vectors;

    @Inject
    CampaignRepository campaigns;

    @Inject
    EmbeddingServicePoolSearch remote;

    /** User-supplied vectors: one pass over mining's own table; computed ones: embedding-service's ANN index. */
    @Override
    public List<Hit> similar(String datasetId, String modelId, String modelVersion, float[] query, int limit, Set<String> exclude) {
        if (!vectors.allUserSupplied(datasetId, modelId, modelVersion)) {
            return remote.similar(datasetId, modelId, modelVersion, query, limit, exclude);
        }
        Set<String> pool = campaigns.pool(datasetId, modelId, modelVersion);
        double qn = norm(query);
        PriorityQueue<Hit> top = new PriorityQueue<>(Comparator.comparingDouble(Hit::similarity));
        vectors.stream(datasetId, modelId, modelVersion, (frameId, v) -> {
            if (!pool.contains(frameId) || exclude.contains(frameId) || v.length != query.length) {
                return;
            }
            double dot = 0;
            for (int i = 0; i < v.length; i++) {
                dot += v[i] * query[i];
            }
            double n = norm(v) * qn;
            double sim = n == 0 ? 0 : dot / n;
            if (top.size() < limit) {
                top.add(new Hit(frameId, sim));
            } else if (sim > top.peek().similarity()) {
                top.poll();
                top.add(new Hit(frameId, sim));
            }
        });
        List<Hit> out = new ArrayList<>(top);
        out.sort(Comparator.comparingDouble(Hit::similarity).reversed().thenComparing(Hit::frameId));
        return out;
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }
}
