package dev.shoal.mining.service;

import dev.shoal.algorithms.knn.KnnGraph;
import dev.shoal.mining.domain.Analysis;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * What the steps of one analysis share: the snapshot, the k-NN graph over its vectors (built once per vector set,
 * reused by outliers, duplicates, clusters and the map, and by later analyses of the same vectors through the
 * {@link VectorSetCache}), class probabilities per frame, and cluster assignments.
 */
public final class AnalysisContext {

    public final Analysis analysis;
    public final Snapshot snapshot;
    private final IntConsumer progress;

    /** Snapshot indices of the frames that have a vector; row r of {@link #vectors()} is frame vectorRows[r]. */
    private int[] vectorRows;
    private KnnGraph graph;
    private boolean graphBuilt;
    private double graphSeconds;
    private int graphK;

    /** Per snapshot index: class probabilities (model inferences, or out-of-sample from embeddings), or null. */
    public float[][] probabilities;
    /** "model" or "out_of_sample" once probabilities are set. */
    public String probabilitySource;
    /** Per snapshot index: the failure cluster id (-1 = none/noise), set by the cluster step, used by the map. */
    public int[] clusterOf;
    public final Map<String, Object> shared = new HashMap<>();

    public AnalysisContext(Analysis analysis, Snapshot snapshot, IntConsumer progress) {
        this.analysis = analysis;
        this.snapshot = snapshot;
        this.progress = progress;
        if (analysis.hasModel()) {
            boolean any = false;
            for (float[] p : snapshot.probs) {
                any |= p != null;
            }
            if (any) {
                probabilities = snapshot.probs;
                probabilitySource = "model";
            }
        }
    }

    /** Reports progress inside the current step, 0..100. */
    public void stepProgress(int percent) {
        progress.accept(Math.max(0, Math.min(100, percent)));
    }

    public int[] vectorRows() {
        if (vectorRows == null) {
            int m = snapshot.vectorSet == null ? 0 : snapshot.vectorSet.size();
            vectorRows = new int[m];
            for (int r = 0; r < m; r++) {
                vectorRows[r] = r;   // the loader puts the frames with a vector first, in row order
            }
        }
        return vectorRows;
    }

    /** L2-normalised vectors (row r = snapshot index r); shared with other analyses through the cache: read only. */
    public float[][] vectors() {
        return snapshot.vectorSet == null ? new float[0][] : snapshot.vectorSet.vectors;
    }

    /**
     * The k-NN graph over {@link #vectors()} (row indices) with {@code k} neighbours (capped at rows - 1): the one
     * a previous step or analysis built over the same vector set when there is one, else built now.
     */
    public KnnGraph knn(int k) {
        float[][] v = vectors();
        if (v.length < 2) {
            throw new IllegalStateException("needs at least 2 frames with vectors of embedding_model_id "
                    + analysis.embeddingModelId() + " embedding_model_version " + analysis.embeddingModelVersion());
        }
        int kk = Math.min(k, v.length - 1);
        if (graph == null || graph.k() != kk) {
            VectorSet.GraphUse use = snapshot.vectorSet.graph(kk, KnnGraph::build);
            graph = use.graph();
            graphBuilt |= use.built();
            graphSeconds += use.seconds();
            graphK = kk;
        }
        return graph;
    }

    /** For the analysis summary: whether this analysis loaded or reused its vectors and built or reused its graph. */
    public Map<String, Object> vectorReport() {
        if (snapshot.vectorSet == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", snapshot.vectorSet.size());
        m.put("vectors", snapshot.vectorsReused ? "reused" : "loaded");
        if (graph != null) {
            m.put("k", graphK);
            m.put("graph", graphBuilt ? "built" : "reused");
            m.put("graph_seconds", Math.round(graphSeconds * 100) / 100.0);
        }
        return m;
    }

    /** Predicted class per snapshot index (argmax of {@link #probabilities}), -1 where there are none. */
    public int[] predicted() {
        int n = snapshot.size();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = -1;
            float[] p = probabilities == null ? null : probabilities[i];
            if (p != null) {
                int best = 0;
                for (int k = 1; k < p.length; k++) {
                    if (p[k] > p[best]) {
                        best = k;
                    }
                }
                out[i] = best;
            }
        }
        return out;
    }
}
