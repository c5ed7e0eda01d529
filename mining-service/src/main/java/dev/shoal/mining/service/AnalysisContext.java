package dev.shoal.mining.service;

import dev.shoal.algorithms.knn.KnnGraph;
import dev.shoal.mining.domain.Analysis;

import java.util.HashMap;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * What the steps of one analysis share: the snapshot, the k-NN graph over its vectors (built once, reused by
 * outliers, duplicates, clusters and the map), class probabilities per frame, and cluster assignments.
 */
public final class AnalysisContext {

    public final Analysis analysis;
    public final Snapshot snapshot;
    private final IntConsumer progress;

    /** Snapshot indices of the frames that have a vector; row r of {@link #vectors()} is frame vectorRows[r]. */
    private int[] vectorRows;
    private float[][] vectors;
    private KnnGraph graph;

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
            vectorRows = snapshot.select(true, false, false);
            vectors = new float[vectorRows.length][];
            for (int r = 0; r < vectorRows.length; r++) {
                // L2-normalised in place: every method downstream is cosine (k-NN graph, spherical k-means, UMAP)
                float[] v = snapshot.vectors[vectorRows[r]];
                double n = 0;
                for (float x : v) {
                    n += x * x;
                }
                if (n > 0) {
                    float inv = (float) (1.0 / Math.sqrt(n));
                    for (int d = 0; d < v.length; d++) {
                        v[d] *= inv;
                    }
                }
                vectors[r] = v;
            }
        }
        return vectorRows;
    }

    public float[][] vectors() {
        vectorRows();
        return vectors;
    }

    /** The k-NN graph over {@link #vectors()} (row indices), built on first use with at least {@code k} neighbours. */
    public KnnGraph knn(int k) {
        float[][] v = vectors();
        int kk = Math.min(k, Math.max(1, v.length - 1));
        if (graph == null || graph.k() < kk) {
            if (v.length < 2) {
                throw new IllegalStateException("needs at least 2 frames with vectors of embedding model "
                        + analysis.embeddingModelId() + ":" + analysis.embeddingModelVersion());
            }
            graph = KnnGraph.build(v, kk);
        }
        return graph;
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
