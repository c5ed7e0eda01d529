package dev.shoal.algorithms.outliers;

import dev.shoal.algorithms.knn.KnnGraph;

/**
 * Local Outlier Factor (Breunig, Kriegel, Ng &amp; Sander, "LOF: Identifying Density-Based Local
 * Outliers", SIGMOD 2000) on the shared {@link KnnGraph} with cosine distance:
 * <pre>
 *   reach-dist_k(p, o) = max(k-distance(o), d(p, o))
 *   lrd_k(p)           = 1 / mean_{o in N_k(p)} reach-dist_k(p, o)
 *   LOF_k(p)           = mean_{o in N_k(p)} lrd_k(o) / lrd_k(p)
 * </pre>
 * N_k(p) is the k nearest neighbours in the graph (ties beyond k are not added, as in scikit-learn).
 * As scikit-learn does, 1e-10 is added to the mean reachability distance so that exact duplicates do
 * not divide by zero. ≈1 inside a cluster, ≫1 for an outlier. O(n k).
 */
public final class LocalOutlierFactor {

    private LocalOutlierFactor() {
    }

    /** LOF score per node using its {@code k} nearest neighbours (k ≤ graph.k()). */
    public static double[] scores(KnnGraph graph, int k) {
        KnnOutliers.check(graph, k);
        int n = graph.size();
        double[] kdist = new double[n];
        for (int i = 0; i < n; i++) kdist[i] = graph.distance(i, k - 1);
        double[] lrd = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < k; j++) s += Math.max(kdist[graph.neighbor(i, j)], graph.distance(i, j));
            lrd[i] = 1.0 / (s / k + 1e-10);
        }
        double[] lof = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < k; j++) s += lrd[graph.neighbor(i, j)];
            lof[i] = s / k / lrd[i];
        }
        return lof;
    }
}
