package dev.shoal.algorithms.labelerrors;

import dev.shoal.algorithms.knn.KnnGraph;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Out-of-sample class probabilities computed from embeddings alone, for confident learning when no
 * model inferences exist (Northcutt et al., JAIR 2021, §4 use k-fold cross-validated probabilities;
 * cleanlab's {@code estimate_cv_predicted_probabilities}). Two estimators, both K-fold cross-validated
 * so that no example's own label (nor any example of its fold) influences its probabilities:
 * <ul>
 *   <li>{@link #knn}: a k-nearest-neighbour vote (Cover &amp; Hart 1967) over the shared {@link KnnGraph},
 *       skipping neighbours in the same fold (with 1 fold: leave-one-out, only the node itself is
 *       skipped), optionally weighted by inverse cosine distance, with additive (Laplace) smoothing.
 *       O(n k), seconds for 100k nodes once the graph exists.</li>
 *   <li>{@link #logisticProbe}: a multinomial logistic-regression "linear probe" on standardised
 *       embeddings, trained per fold with mini-batch Adam (Kingma &amp; Ba 2015) and L2 regularisation,
 *       folds trained in parallel.</li>
 * </ul>
 * Labels {@code < 0} mean "unlabelled": such examples never vote / train, but still get probabilities.
 */
public final class OutOfSampleProbabilities {

    /**
     * @param folds            number of folds (1 = leave-one-out)
     * @param distanceWeighted weight votes by 1 / (cosine distance + 0.01), else plain votes
     * @param smoothing        total pseudo-count spread uniformly over the classes
     * @param seed             fold assignment seed
     */
    public record KnnOptions(int folds, boolean distanceWeighted, double smoothing, long seed) {
        public static KnnOptions defaults() {
            return new KnnOptions(5, true, 1.0, 17L);
        }
    }

    /**
     * @param folds        number of cross-validation folds (≥ 2)
     * @param epochs       passes over each training fold
     * @param learningRate Adam step size
     * @param l2           L2 penalty on the weights
     * @param batchSize    mini-batch size
     * @param threads      folds trained in parallel
     * @param seed         fold assignment and shuffling seed
     */
    public record ProbeOptions(int folds, int epochs, double learningRate, double l2, int batchSize, int threads,
                               long seed) {
        public static ProbeOptions defaults() {
            return new ProbeOptions(5, 15, 0.005, 1e-4, 128, Runtime.getRuntime().availableProcessors(), 17L);
        }
    }

    private OutOfSampleProbabilities() {
    }

    /** A random balanced fold per example: a permutation dealt round-robin into {@code folds} folds. */
    public static int[] assignFolds(int n, int folds, long seed) {
        if (folds < 1) throw new IllegalArgumentException("folds must be >= 1, was " + folds);
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        Random r = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] fold = new int[n];
        for (int i = 0; i < n; i++) fold[perm[i]] = i % folds;
        return fold;
    }

    /**
     * Cross-validated k-NN class probabilities (n×numClasses rows summing to 1) from the graph's neighbours.
     *
     * @param labels class per node in [0, numClasses), or negative for unlabelled
     */
    public static double[][] knn(KnnGraph graph, int[] labels, int numClasses, KnnOptions opts) {
        int n = graph.size();
        if (labels.length != n) throw new IllegalArgumentException("labels has " + labels.length + " rows, graph " + n);
        for (int i = 0; i < n; i++) {
            if (labels[i] >= numClasses) {
                throw new IllegalArgumentException("labels[" + i + "] = " + labels[i] + " is outside [0, " + numClasses + ")");
            }
        }
        int[] fold = opts.folds() <= 1 ? null : assignFolds(n, opts.folds(), opts.seed());
        int k = graph.k();
        double[][] out = new double[n][numClasses];
        double[] w = new double[k];
        int[] c = new int[k];
        for (int i = 0; i < n; i++) {
            int used = 0;
            double sum = 0;
            for (int j = 0; j < k; j++) {
                int nb = graph.neighbor(i, j);
                if (labels[nb] < 0 || (fold != null && fold[nb] == fold[i])) continue;
                double weight = opts.distanceWeighted() ? 1.0 / (graph.distance(i, j) + 0.01) : 1.0;
                w[used] = weight;
                c[used] = labels[nb];
                sum += weight;
                used++;
            }
            double[] p = out[i];
            double prior = opts.smoothing() / numClasses;
            double total = opts.smoothing();
            for (int q = 0; q < used; q++) {
                double share = w[q] / sum * used; // weights normalised to sum to the vote count
                p[c[q]] += share;
                total += share;
            }
            for (int cl = 0; cl < numClasses; cl++) p[cl] = total == 0 ? 1.0 / numClasses : (p[cl] + prior) / total;
        }
        return out;
    }

    /**
     * Cross-validated multinomial logistic-regression probabilities. Features are standardised with the
     * whole set's mean and standard deviation (unsupervised, so no label leaks); each fold's model is
     * trained on the labelled examples of the other folds.
     */
    public static double[][] logisticProbe(float[][] x, int[] labels, int numClasses, ProbeOptions opts) {
        int n = x.length;
        if (labels.length != n) throw new IllegalArgumentException("labels has " + labels.length + " rows, x " + n);
        if (opts.folds() < 2) throw new IllegalArgumentException("folds must be >= 2 for a probe");
        int dim = n == 0 ? 0 : x[0].length;
        for (int i = 0; i < n; i++) {
            if (x[i].length != dim) throw new IllegalArgumentException("x row " + i + " has dimension " + x[i].length);
            if (labels[i] >= numClasses) {
                throw new IllegalArgumentException("labels[" + i + "] = " + labels[i] + " is outside [0, " + numClasses + ")");
            }
        }
        float[] mean = new float[dim];
        float[] inv = new float[dim];
        standardisation(x, mean, inv);
        int[] fold = assignFolds(n, opts.folds(), opts.seed());
        double[][] out = new double[n][];
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(opts.threads(), opts.folds())));
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int f = 0; f < opts.folds(); f++) {
                final int ff = f;
                fs.add(pool.submit(() -> {
                    int[] train = indices(fold, labels, ff, true);
                    Softmax model = Softmax.train(x, mean, inv, labels, numClasses, train, opts, opts.seed() + ff);
                    for (int i = 0; i < n; i++) if (fold[i] == ff) out[i] = model.predict(x[i], mean, inv);
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
        } catch (Exception e) {
            throw new IllegalStateException("logistic probe failed: " + e.getMessage(), e);
        } finally {
            pool.shutdownNow();
        }
        return out;
    }

    private static int[] indices(int[] fold, int[] labels, int f, boolean otherFolds) {
        int count = 0;
        for (int i = 0; i < fold.length; i++) if ((fold[i] != f) == otherFolds && labels[i] >= 0) count++;
        int[] out = new int[count];
        int w = 0;
        for (int i = 0; i < fold.length; i++) if ((fold[i] != f) == otherFolds && labels[i] >= 0) out[w++] = i;
        return out;
    }

    private static void standardisation(float[][] x, float[] mean, float[] inv) {
        int n = x.length;
        int dim = mean.length;
        double[] s = new double[dim];
        double[] ss = new double[dim];
        for (float[] row : x) {
            for (int d = 0; d < dim; d++) {
                s[d] += row[d];
                ss[d] += (double) row[d] * row[d];
            }
        }
        for (int d = 0; d < dim; d++) {
            double m = n == 0 ? 0 : s[d] / n;
            double var = n == 0 ? 0 : ss[d] / n - m * m;
            mean[d] = (float) m;
            inv[d] = var > 1e-12 ? (float) (1 / Math.sqrt(var)) : 0f;
        }
    }

    /** Multinomial logistic regression trained with mini-batch Adam. */
    static final class Softmax {
        final int numClasses;
        final int dim;
        final float[][] w; // [class][dim]
        final float[] b;

        Softmax(int numClasses, int dim) {
            this.numClasses = numClasses;
            this.dim = dim;
            this.w = new float[numClasses][dim];
            this.b = new float[numClasses];
        }

        static Softmax train(float[][] x, float[] mean, float[] inv, int[] labels, int numClasses, int[] train,
                             ProbeOptions o, long seed) {
            int dim = mean.length;
            Softmax m = new Softmax(numClasses, dim);
            float[][] gw = new float[numClasses][dim];
            float[] gb = new float[numClasses];
            float[][] mw = new float[numClasses][dim];
            float[][] vw = new float[numClasses][dim];
            float[] mb = new float[numClasses];
            float[] vb = new float[numClasses];
            float[] z = new float[dim];
            double[] p = new double[numClasses];
            int[] order = train.clone();
            Random r = new Random(seed);
            double beta1 = 0.9;
            double beta2 = 0.999;
            long step = 0;
            for (int epoch = 0; epoch < o.epochs(); epoch++) {
                for (int i = order.length - 1; i > 0; i--) {
                    int j = r.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                double lr = o.learningRate() * (epoch < o.epochs() / 2 ? 1.0 : 0.3);
                for (int start = 0; start < order.length; start += o.batchSize()) {
                    int end = Math.min(order.length, start + o.batchSize());
                    for (float[] row : gw) java.util.Arrays.fill(row, 0f);
                    java.util.Arrays.fill(gb, 0f);
                    for (int q = start; q < end; q++) {
                        int i = order[q];
                        float[] xi = x[i];
                        for (int d = 0; d < dim; d++) z[d] = (xi[d] - mean[d]) * inv[d];
                        m.probs(z, p);
                        p[labels[i]] -= 1;
                        for (int c = 0; c < numClasses; c++) {
                            float g = (float) p[c];
                            gb[c] += g;
                            float[] gwc = gw[c];
                            for (int d = 0; d < dim; d++) gwc[d] += g * z[d];
                        }
                    }
                    float scale = 1f / (end - start);
                    step++;
                    double bc1 = 1 - Math.pow(beta1, step);
                    double bc2 = 1 - Math.pow(beta2, step);
                    float a = (float) (lr * Math.sqrt(bc2) / bc1);
                    for (int c = 0; c < numClasses; c++) {
                        float[] wc = m.w[c];
                        float[] gwc = gw[c];
                        float[] mwc = mw[c];
                        float[] vwc = vw[c];
                        for (int d = 0; d < dim; d++) {
                            float g = gwc[d] * scale + (float) o.l2() * wc[d];
                            mwc[d] = (float) (beta1 * mwc[d] + (1 - beta1) * g);
                            vwc[d] = (float) (beta2 * vwc[d] + (1 - beta2) * g * g);
                            wc[d] -= a * mwc[d] / ((float) Math.sqrt(vwc[d]) + 1e-8f);
                        }
                        float g = gb[c] * scale;
                        mb[c] = (float) (beta1 * mb[c] + (1 - beta1) * g);
                        vb[c] = (float) (beta2 * vb[c] + (1 - beta2) * g * g);
                        m.b[c] -= a * mb[c] / ((float) Math.sqrt(vb[c]) + 1e-8f);
                    }
                }
            }
            return m;
        }

        void probs(float[] z, double[] out) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < numClasses; c++) {
                float[] wc = w[c];
                double s = b[c];
                for (int d = 0; d < dim; d++) s += wc[d] * z[d];
                out[c] = s;
                max = Math.max(max, s);
            }
            double sum = 0;
            for (int c = 0; c < numClasses; c++) {
                out[c] = Math.exp(out[c] - max);
                sum += out[c];
            }
            for (int c = 0; c < numClasses; c++) out[c] /= sum;
        }

        double[] predict(float[] xi, float[] mean, float[] inv) {
            float[] z = new float[dim];
            for (int d = 0; d < dim; d++) z[d] = (xi[d] - mean[d]) * inv[d];
            double[] p = new double[numClasses];
            probs(z, p);
            return p;
        }
    }
}
