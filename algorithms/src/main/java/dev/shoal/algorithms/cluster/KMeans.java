package dev.shoal.algorithms.cluster;

import dev.shoal.algorithms.knn.Dot;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * k-means under squared Euclidean distance (pass L2-normalised vectors for spherical / cosine k-means):
 * seeding by k-means++ (Arthur &amp; Vassilvitskii, SODA 2007) on a random sample of at most
 * {@code seedSample} points, then either Lloyd's iterations (Lloyd 1982) on the whole set or, for large
 * n, Sculley's mini-batch k-means ("Web-scale k-means clustering", WWW 2010: per-centre learning rate
 * 1 / count), followed by one full assignment pass. Memory O(k d) beyond the input; the assignment pass
 * runs on the common fork-join pool.
 */
public final class KMeans {

    /**
     * @param k             number of clusters
     * @param maxIterations Lloyd iterations, or mini-batch steps
     * @param batchSize     0 = full-batch Lloyd; otherwise the mini-batch size
     * @param tolerance     Lloyd stops when the relative inertia change is below this
     * @param seedSample    k-means++ runs on at most this many sampled points
     * @param seed          random seed
     */
    public record Options(int k, int maxIterations, int batchSize, double tolerance, int seedSample, long seed) {
        public Options {
            if (k < 1) throw new IllegalArgumentException("k must be >= 1, was " + k);
        }

        /** Lloyd for n ≤ 20 000, else 100 mini-batch steps of 1024; k-means++ on at most 10 000 points. */
        public static Options defaults(int k, int n) {
            return n <= 20_000 ? new Options(k, 100, 0, 1e-4, 10_000, 42L) : new Options(k, 100, 1024, 1e-4, 10_000, 42L);
        }
    }

    /** Centroids (k×d), each point's centroid, the sum of squared distances, and iterations run. */
    public record Result(float[][] centroids, int[] assignment, double inertia, int iterations) {
    }

    private KMeans() {
    }

    public static Result fit(float[][] x, Options o) {
        int n = x.length;
        if (n == 0) return new Result(new float[0][], new int[0], 0, 0);
        int k = Math.min(o.k(), n);
        Random r = new Random(o.seed());
        float[][] c = kMeansPlusPlus(x, k, o.seedSample(), r);
        int[] assign = new int[n];
        double inertia;
        int it = 0;
        if (o.batchSize() <= 0) {
            double prev = Double.MAX_VALUE;
            while (true) {
                inertia = assign(x, c, assign);
                it++;
                if (it >= o.maxIterations() || prev - inertia <= o.tolerance() * prev) break;
                prev = inertia;
                update(x, c, assign);
            }
        } else {
            long[] counts = new long[k];
            int b = Math.min(o.batchSize(), n);
            int[] batch = new int[b];
            int[] cache = new int[b];
            for (it = 0; it < o.maxIterations(); it++) {
                for (int q = 0; q < b; q++) batch[q] = r.nextInt(n);
                double[] cn = norms(c);
                for (int q = 0; q < b; q++) cache[q] = nearest(x[batch[q]], c, cn)[0];
                for (int q = 0; q < b; q++) {
                    int cl = cache[q];
                    counts[cl]++;
                    float eta = 1f / counts[cl];
                    float[] cc = c[cl];
                    float[] xi = x[batch[q]];
                    for (int d = 0; d < cc.length; d++) cc[d] = (1 - eta) * cc[d] + eta * xi[d];
                }
            }
            inertia = assign(x, c, assign);
        }
        return new Result(c, assign, inertia, it);
    }

    /** Assigns every point to its nearest centroid; returns the inertia. */
    public static double assign(float[][] x, float[][] c, int[] out) {
        double[] cn = norms(c);
        return IntStream.range(0, x.length).parallel().mapToDouble(i -> {
            int[] best = nearest(x[i], c, cn);
            out[i] = best[0];
            return sq(x[i], c[best[0]]);
        }).sum();
    }

    private static double[] norms(float[][] c) {
        double[] out = new double[c.length];
        for (int j = 0; j < c.length; j++) {
            double s = 0;
            for (float v : c[j]) s += v * v;
            out[j] = s;
        }
        return out;
    }

    /** Index of the nearest centroid (in element 0), by ||c||² - 2 x·c. */
    private static int[] nearest(float[] xi, float[][] c, double[] cn) {
        int best = 0;
        double bestV = Double.MAX_VALUE;
        for (int j = 0; j < c.length; j++) {
            float[] cj = c[j];
            float dot = Dot.dot(xi, cj);
            double v = cn[j] - 2.0 * dot;
            if (v < bestV) {
                bestV = v;
                best = j;
            }
        }
        return new int[] {best};
    }

    private static void update(float[][] x, float[][] c, int[] assign) {
        int k = c.length;
        int dim = c[0].length;
        double[][] sum = new double[k][dim];
        int[] count = new int[k];
        for (int i = 0; i < x.length; i++) {
            count[assign[i]]++;
            double[] s = sum[assign[i]];
            for (int d = 0; d < dim; d++) s[d] += x[i][d];
        }
        for (int j = 0; j < k; j++) {
            if (count[j] == 0) continue; // keep an empty cluster's centroid where it was
            for (int d = 0; d < dim; d++) c[j][d] = (float) (sum[j][d] / count[j]);
        }
    }

    /** k-means++ seeding on a sample: each next centre drawn with probability ∝ D(x)². */
    static float[][] kMeansPlusPlus(float[][] x, int k, int sampleSize, Random r) {
        int n = x.length;
        int m = Math.min(n, Math.max(sampleSize, k));
        int[] sample = new int[m];
        if (m == n) {
            for (int i = 0; i < n; i++) sample[i] = i;
        } else {
            for (int i = 0; i < m; i++) sample[i] = r.nextInt(n);
        }
        float[][] c = new float[k][];
        c[0] = x[sample[r.nextInt(m)]].clone();
        double[] d2 = new double[m];
        Arrays.fill(d2, Double.MAX_VALUE);
        for (int j = 1; j <= k; j++) {
            double total = 0;
            float[] last = c[j - 1];
            for (int q = 0; q < m; q++) {
                d2[q] = Math.min(d2[q], sq(x[sample[q]], last));
                total += d2[q];
            }
            if (j == k) break;
            double u = r.nextDouble() * total;
            int pick = m - 1;
            for (int q = 0; q < m; q++) {
                u -= d2[q];
                if (u <= 0) {
                    pick = q;
                    break;
                }
            }
            c[j] = x[sample[pick]].clone();
        }
        return c;
    }

    static double sq(float[] a, float[] b) {
        double s = 0;
        for (int d = 0; d < a.length; d++) {
            double t = a[d] - b[d];
            s += t * t;
        }
        return s;
    }
}
