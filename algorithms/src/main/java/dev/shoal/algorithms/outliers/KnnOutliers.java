package dev.shoal.algorithms.outliers;

import dev.shoal.algorithms.knn.KnnGraph;

/**
 * k-NN distance outlier scores (Ramaswamy, Rastogi &amp; Shim, "Efficient algorithms for mining outliers
 * from large data sets", SIGMOD 2000: the distance to the k-th nearest neighbour; Angiulli &amp; Pizzuti,
 * PKDD 2002: the mean distance to the k nearest). Reads the shared {@link KnnGraph}: O(n k).
 * Higher = more outlying.
 */
public final class KnnOutliers {

    private KnnOutliers() {
    }

    /** Cosine distance to the {@code k}-th nearest neighbour (k ≤ graph.k()). */
    public static double[] kthDistance(KnnGraph graph, int k) {
        check(graph, k);
        double[] out = new double[graph.size()];
        for (int i = 0; i < out.length; i++) out[i] = graph.distance(i, k - 1);
        return out;
    }

    /** Mean cosine distance to the {@code k} nearest neighbours (k ≤ graph.k()). */
    public static double[] meanDistance(KnnGraph graph, int k) {
        check(graph, k);
        double[] out = new double[graph.size()];
        for (int i = 0; i < out.length; i++) {
            double s = 0;
            for (int j = 0; j < k; j++) s += graph.distance(i, j);
            out[i] = s / k;
        }
        return out;
    }

    /** Indices by decreasing score: the most outlying first. */
    public static int[] rankDescending(double[] scores) {
        Integer[] idx = new Integer[scores.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (a, b) -> {
            int c = Double.compare(scores[b], scores[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[] out = new int[idx.length];
        for (int i = 0; i < out.length; i++) out[i] = idx[i];
        return out;
    }

    static void check(KnnGraph graph, int k) {
        if (k < 1 || k > graph.k()) {
            throw new IllegalArgumentException("k must be in [1, " + graph.k() + "] (the graph's k), was " + k);
        }
    }
}
