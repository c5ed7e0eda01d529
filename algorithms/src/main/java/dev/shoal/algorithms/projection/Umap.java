package dev.shoal.algorithms.projection;

import dev.shoal.algorithms.knn.KnnGraph;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.commons.math3.analysis.ParametricUnivariateFunction;
import org.apache.commons.math3.fitting.SimpleCurveFitter;
import org.apache.commons.math3.fitting.WeightedObservedPoints;

/**
 * UMAP (McInnes, Healy &amp; Melville, "UMAP: Uniform Manifold Approximation and Projection for
 * Dimension Reduction", arXiv 1802.03426, 2018), following the reference implementation umap-learn:
 * <ol>
 *   <li>fuzzy simplicial set from the shared {@link KnnGraph}: per point ρ_i = distance to the nearest
 *       neighbour, σ_i by binary search so that Σ_j exp(−max(0, d_ij − ρ_i)/σ_i) = log2(k + 1)
 *       ({@code smooth_knn_dist}); membership w_ij = exp(−max(0, d_ij − ρ_i)/σ_i); fuzzy union
 *       w = a + b − a·b of the two directions;</li>
 *   <li>initialisation by PCA of the input vectors (as umap-learn's {@code init="pca"}, recommended by
 *       Kobak &amp; Linderman, Nat. Biotechnol. 2021), scaled to [−10, 10] plus 1e-4 noise, or random
 *       uniform in [−10, 10] when no vectors are given;</li>
 *   <li>SGD on the fuzzy cross-entropy with edge sampling proportional to weight ({@code epochs_per_sample}),
 *       {@code negativeSampleRate} negative samples per positive, the curve 1 / (1 + a d^{2b}) fitted to
 *       {@code minDist}/{@code spread}, gradients clipped to ±4, learning rate decaying linearly to 0;
 *       edges split across threads in a lock-free ("Hogwild!") way, as umap-learn's parallel mode.</li>
 * </ol>
 * Memory is O(n k) for the edges plus 2n floats for the layout: no n×n matrix anywhere.
 */
public final class Umap {

    /**
     * @param epochs             SGD epochs; 0 = umap-learn's default (500 for n ≤ 10 000, else 200)
     * @param minDist            minimum distance between embedded points
     * @param spread             scale of embedded points
     * @param negativeSampleRate negative samples per positive sample
     * @param learningRate       initial SGD learning rate
     * @param threads            worker threads for SGD
     * @param seed               random seed
     */
    public record Options(int epochs, double minDist, double spread, int negativeSampleRate, double learningRate,
                          int threads, long seed) {
        public static Options defaults() {
            return new Options(0, 0.1, 1.0, 5, 1.0, Runtime.getRuntime().availableProcessors(), 42L);
        }

        public Options withEpochs(int e) {
            return new Options(e, minDist, spread, negativeSampleRate, learningRate, threads, seed);
        }
    }

    private Umap() {
    }

    /**
     * Embeds the graph's nodes in 2-D.
     *
     * @param vectors the input vectors for PCA initialisation, or null for random initialisation
     * @return n×2 coordinates
     */
    public static float[][] embed(KnnGraph graph, float[][] vectors, Options o) {
        int n = graph.size();
        if (vectors != null && vectors.length != n) {
            throw new IllegalArgumentException("vectors has " + vectors.length + " rows, graph " + n);
        }
        float[][] out = new float[n][2];
        if (n == 0) return out;
        if (n == 1) return out;
        int epochs = o.epochs() > 0 ? o.epochs() : (n <= 10_000 ? 500 : 200);
        double[] ab = findAB(o.spread(), o.minDist());
        Edges e = fuzzySimplicialSet(graph);
        float[] y = vectors != null ? Pca.initialLayout(vectors, 2, o.seed()) : randomLayout(n, o.seed());
        optimize(y, e, epochs, (float) ab[0], (float) ab[1], o);
        for (int i = 0; i < n; i++) {
            out[i][0] = y[2 * i];
            out[i][1] = y[2 * i + 1];
        }
        return out;
    }

    /** Symmetric fuzzy graph as a directed edge list holding both directions of every undirected edge. */
    record Edges(int[] head, int[] tail, float[] weight) {
    }

    static Edges fuzzySimplicialSet(KnnGraph g) {
        int n = g.size();
        int k = g.k();
        float[] w = new float[n * k];
        double target = Math.log(k + 1) / Math.log(2);
        double meanAll = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < k; j++) meanAll += g.distance(i, j);
        meanAll /= Math.max(1, (double) n * k);
        for (int i = 0; i < n; i++) {
            double rho = 0;
            for (int j = 0; j < k; j++) {
                if (g.distance(i, j) > 0) {
                    rho = g.distance(i, j);
                    break;
                }
            }
            double lo = 0;
            double hi = Double.POSITIVE_INFINITY;
            double mid = 1;
            for (int it = 0; it < 64; it++) {
                double s = 0;
                for (int j = 0; j < k; j++) {
                    double d = g.distance(i, j) - rho;
                    s += d > 0 ? Math.exp(-d / mid) : 1;
                }
                if (Math.abs(s - target) < 1e-5) break;
                if (s > target) {
                    hi = mid;
                    mid = (lo + hi) / 2;
                } else {
                    lo = mid;
                    mid = hi == Double.POSITIVE_INFINITY ? mid * 2 : (lo + hi) / 2;
                }
            }
            double meanI = 0;
            for (int j = 0; j < k; j++) meanI += g.distance(i, j);
            meanI /= k;
            double minSigma = 1e-3 * (rho > 0 ? meanI : meanAll);
            double sigma = Math.max(mid, minSigma);
            for (int j = 0; j < k; j++) {
                double d = g.distance(i, j) - rho;
                w[i * k + j] = (float) (d > 0 ? Math.exp(-d / sigma) : 1.0);
            }
        }
        // fuzzy union: for (i, j) with i in N(j) too, combine once (from the smaller index)
        int[] head = new int[2 * n * k];
        int[] tail = new int[2 * n * k];
        float[] wt = new float[2 * n * k];
        int m = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                int nb = g.neighbor(i, j);
                if (nb == i) continue;
                float a = w[i * k + j];
                float b = 0;
                int back = -1;
                for (int q = 0; q < k; q++) {
                    if (g.neighbor(nb, q) == i) {
                        back = q;
                        break;
                    }
                }
                if (back >= 0) {
                    if (nb < i) continue; // handled from nb's side
                    b = w[nb * k + back];
                }
                float u = a + b - a * b;
                head[m] = i; tail[m] = nb; wt[m] = u; m++;
                head[m] = nb; tail[m] = i; wt[m] = u; m++;
            }
        }
        return new Edges(java.util.Arrays.copyOf(head, m), java.util.Arrays.copyOf(tail, m), java.util.Arrays.copyOf(wt, m));
    }

    /** Fits a, b of 1 / (1 + a x^{2b}) to the UMAP target curve (umap-learn's {@code find_ab_params}). */
    public static double[] findAB(double spread, double minDist) {
        if (spread == 1.0 && minDist == 0.1) return new double[] {1.576943460405378, 0.8950608781227859};
        WeightedObservedPoints pts = new WeightedObservedPoints();
        for (int q = 0; q < 300; q++) {
            double x = q * spread * 3 / 299;
            pts.add(x, x < minDist ? 1.0 : Math.exp(-(x - minDist) / spread));
        }
        ParametricUnivariateFunction f = new ParametricUnivariateFunction() {
            @Override
            public double value(double x, double... p) {
                return 1.0 / (1.0 + p[0] * Math.pow(x, 2 * p[1]));
            }

            @Override
            public double[] gradient(double x, double... p) {
                if (x == 0) return new double[] {0, 0};
                double xb = Math.pow(x, 2 * p[1]);
                double den = Math.pow(1 + p[0] * xb, 2);
                return new double[] {-xb / den, -p[0] * xb * 2 * Math.log(x) / den};
            }
        };
        return SimpleCurveFitter.create(f, new double[] {1.0, 1.0}).withMaxIterations(1000).fit(pts.toList());
    }

    private static float[] randomLayout(int n, long seed) {
        Random r = new Random(seed);
        float[] y = new float[2 * n];
        for (int i = 0; i < y.length; i++) y[i] = (float) (r.nextDouble() * 20 - 10);
        return y;
    }

    private static void optimize(float[] y, Edges e, int epochs, float a, float b, Options o) {
        int m = e.head().length;
        float maxW = 0;
        for (float v : e.weight()) maxW = Math.max(maxW, v);
        // edges below max / epochs would never be sampled (umap-learn drops them the same way)
        Schedule s = new Schedule(e.head(), e.tail(), new float[m], new float[m], new float[m], new float[m]);
        float negRate = o.negativeSampleRate();
        for (int q = 0; q < m; q++) {
            double samples = epochs * (e.weight()[q] / maxW);
            s.eps[q] = samples >= 1 ? (float) (epochs / samples) : -1f;
            s.nextSample[q] = s.eps[q];
            s.epsNeg[q] = s.eps[q] / negRate;
            s.nextNeg[q] = s.epsNeg[q];
        }
        int threads = Math.max(1, o.threads());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        SplittableRandom[] rngs = new SplittableRandom[threads];
        SplittableRandom root = new SplittableRandom(o.seed());
        for (int t = 0; t < threads; t++) rngs[t] = root.split();
        try {
            for (int epoch = 0; epoch < epochs; epoch++) {
                float alpha = (float) (o.learningRate() * (1.0 - (double) epoch / epochs));
                List<Callable<Void>> tasks = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int from = (int) ((long) m * t / threads);
                    int to = (int) ((long) m * (t + 1) / threads);
                    SplittableRandom rng = rngs[t];
                    int ep = epoch;
                    tasks.add(() -> {
                        sgd(y, s, from, to, ep, alpha, a, b, rng);
                        return null;
                    });
                }
                pool.invokeAll(tasks);
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("UMAP interrupted", ex);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Per directed edge: its endpoints, and when it is next due for a positive and for negative samples. */
    private record Schedule(int[] head, int[] tail, float[] eps, float[] nextSample, float[] epsNeg, float[] nextNeg) {
    }

    /**
     * One epoch of SGD over the edges {@code [from, to)} (umap-learn's {@code optimize_layout_euclidean}
     * with {@code move_other}): each due edge pulls its two ends together, then pushes its head away from
     * as many uniformly drawn nodes as its negative-sample schedule owes.
     */
    private static void sgd(float[] y, Schedule s, int from, int to, int ep, float alpha, float a, float b,
                            SplittableRandom rng) {
        int n = y.length / 2;
        int[] head = s.head;
        int[] tail = s.tail;
        float[] eps = s.eps;
        float[] nextSample = s.nextSample;
        float[] epsNeg = s.epsNeg;
        float[] nextNeg = s.nextNeg;
        float attract = -2f * a * b;
        float repel = 2f * b;
        float[] nx = new float[8];
        float[] ny = new float[8];
        for (int q = from; q < to; q++) {
            if (eps[q] < 0 || nextSample[q] > ep) continue;
            int j = 2 * head[q];
            int k = 2 * tail[q];
            float dx = y[j] - y[k];
            float dy = y[j + 1] - y[k + 1];
            float d2 = dx * dx + dy * dy;
            if (d2 > 0) {
                // gradient of log(1 / (1 + a d^2b)) in d^2: −2ab d^(2(b−1)) / (1 + a d^2b), one power for both
                float p = FastPow.pow(d2, b);
                float coeff = attract * p / (d2 * (a * p + 1f));
                float gx = clip(coeff * dx) * alpha;
                float gy = clip(coeff * dy) * alpha;
                y[j] += gx;
                y[j + 1] += gy;
                y[k] -= gx;
                y[k + 1] -= gy;
            }
            nextSample[q] += eps[q];
            int negs = (int) ((ep - nextNeg[q]) / epsNeg[q]);
            if (negs > nx.length) {
                nx = new float[negs];
                ny = new float[negs];
            }
            // draw all negative samples' positions first: independent loads the CPU can overlap, which at 1M
            // nodes (an 8 MB layout) are mostly cache misses; then apply the pushes one by one as before
            int drawn = 0;
            for (int p = 0; p < negs; p++) {
                // uniform node in [0, n) by multiply-shift (Lemire 2019) instead of a modulo per draw
                int r = 2 * (int) (((rng.nextLong() >>> 32) * n) >>> 32);
                if (r == j) continue;
                nx[drawn] = y[r];
                ny[drawn] = y[r + 1];
                drawn++;
            }
            for (int p = 0; p < drawn; p++) {
                float ex = y[j] - nx[p];
                float ey = y[j + 1] - ny[p];
                float nd2 = ex * ex + ey * ey;
                float gx;
                float gy;
                if (nd2 > 0) {
                    float coeff = repel / ((0.001f + nd2) * (a * FastPow.pow(nd2, b) + 1f));
                    gx = clip(coeff * ex);
                    gy = clip(coeff * ey);
                } else {
                    gx = 4f;
                    gy = 4f;
                }
                y[j] += gx * alpha;
                y[j + 1] += gy * alpha;
            }
            nextNeg[q] += negs * epsNeg[q];
        }
    }

    private static float clip(float v) {
        return v > 4f ? 4f : (v < -4f ? -4f : v);
    }
}
