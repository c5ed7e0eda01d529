package dev.shoal.algorithms.consensus;

import java.util.Arrays;

/**
 * Dawid–Skene estimator of true classes and annotator error rates, following A. P. Dawid and A. M. Skene,
 * "Maximum Likelihood Estimation of Observer Error-Rates Using the EM Algorithm", Journal of the Royal
 * Statistical Society, Series C (Applied Statistics) 28(1), 1979, pp. 20–28.
 *
 * <p>Model: each item i has an unknown true class with prior p_k; annotator j answers class l for an item of
 * true class k with probability π^j_kl (its confusion matrix). EM as in the paper's section 2.3:
 * <ol>
 *   <li>start from the per-item answer proportions (soft majority vote), T_ik = n_ik / n_i (paper eq. 2.7);</li>
 *   <li>M-step: p_k = Σ_i T_ik / I and π^j_kl = Σ_i T_ik n^j_il / Σ_l Σ_i T_ik n^j_il (eqs. 2.3, 2.4);</li>
 *   <li>E-step: T_ik ∝ p_k Π_j Π_l (π^j_kl)^(n^j_il) (eq. 2.5), computed in log space;</li>
 *   <li>repeat until the log-likelihood changes by less than {@code tolerance} (relative) or the cap is hit.</li>
 * </ol>
 * One optional departure, off when {@code smoothing = 0}: a small additive (Dirichlet) count on every
 * confusion cell and prior, so an annotator never seen answering some class does not get probability 0 for it
 * (the MAP variant commonly used with sparse crowds). Items nobody answered keep the prior and label -1.
 */
public final class DawidSkene {

    private final int maxIterations;
    private final double tolerance;
    private final double smoothing;

    /** Defaults: 100 iterations, relative log-likelihood tolerance 1e-7, smoothing 0.01. */
    public DawidSkene() {
        this(100, 1e-7, 0.01);
    }

    public DawidSkene(int maxIterations, double tolerance, double smoothing) {
        if (maxIterations < 1 || tolerance < 0 || smoothing < 0) {
            throw new IllegalArgumentException("need maxIterations >= 1, tolerance >= 0, smoothing >= 0");
        }
        this.maxIterations = maxIterations;
        this.tolerance = tolerance;
        this.smoothing = smoothing;
    }

    public ConsensusResult fit(AnnotationSet set) {
        int n = set.items();
        int m = set.annotators();
        int k = set.classes();
        int[][] counts = set.countsPerItem();
        boolean[] answered = new boolean[n];
        double[][] t = new double[n][k];
        for (int i = 0; i < n; i++) {
            int total = 0;
            for (int c = 0; c < k; c++) {
                total += counts[i][c];
            }
            answered[i] = total > 0;
            for (int c = 0; c < k; c++) {
                t[i][c] = total == 0 ? 1.0 / k : counts[i][c] / (double) total;
            }
        }
        double[] priors = new double[k];
        double[][][] pi = new double[m][k][k];
        double logLikelihood = Double.NEGATIVE_INFINITY;
        boolean converged = false;
        int iteration = 0;
        while (iteration < maxIterations) {
            iteration++;
            mStep(set, t, answered, priors, pi);
            double ll = eStep(set, priors, pi, answered, t);
            if (Math.abs(ll - logLikelihood) <= tolerance * Math.max(1.0, Math.abs(ll))) {
                logLikelihood = ll;
                converged = true;
                break;
            }
            logLikelihood = ll;
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = answered[i] ? argmax(t[i]) : -1;
        }
        double[] accuracy = new double[m];
        int[] perAnnotator = set.answersPerAnnotator();
        for (int j = 0; j < m; j++) {
            accuracy[j] = perAnnotator[j] == 0 ? Double.NaN : accuracy(priors, pi[j]);
        }
        ConsensusResult agreement = MajorityVote.Scores.against(set, t, labels, priors, iteration, converged, logLikelihood);
        return new ConsensusResult(t, labels, priors, pi, accuracy, agreement.agreement(), iteration, converged, logLikelihood);
    }

    private void mStep(AnnotationSet set, double[][] t, boolean[] answered, double[] priors, double[][][] pi) {
        int k = priors.length;
        Arrays.fill(priors, smoothing);
        double total = smoothing * k;
        for (int i = 0; i < t.length; i++) {
            if (!answered[i]) {
                continue;
            }
            for (int c = 0; c < k; c++) {
                priors[c] += t[i][c];
            }
            total += 1.0;
        }
        for (int c = 0; c < k; c++) {
            priors[c] = total == 0 ? 1.0 / k : priors[c] / total;
        }
        for (double[][] matrix : pi) {
            for (double[] row : matrix) {
                Arrays.fill(row, smoothing);
            }
        }
        for (Annotation a : set.annotations()) {
            double[] ti = t[a.item()];
            double[][] matrix = pi[a.annotator()];
            for (int c = 0; c < k; c++) {
                matrix[c][a.label()] += ti[c];
            }
        }
        for (double[][] matrix : pi) {
            MajorityVote.Scores.normaliseRows(matrix);
        }
    }

    /** Updates t in place; returns the marginal log-likelihood of all answers. */
    private static double eStep(AnnotationSet set, double[] priors, double[][][] pi, boolean[] answered, double[][] t) {
        int n = t.length;
        int k = priors.length;
        double[][] logT = new double[n][k];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < k; c++) {
                logT[i][c] = Math.log(priors[c]);
            }
        }
        // log π once per iteration (annotators x k x k), not once per answer
        double[][][] logPi = new double[pi.length][k][k];
        for (int j = 0; j < pi.length; j++) {
            for (int c = 0; c < k; c++) {
                for (int l = 0; l < k; l++) {
                    logPi[j][l][c] = Math.log(pi[j][c][l]);
                }
            }
        }
        for (Annotation a : set.annotations()) {
            double[] row = logT[a.item()];
            double[] logAnswer = logPi[a.annotator()][a.label()];
            for (int c = 0; c < k; c++) {
                row[c] += logAnswer[c];
            }
        }
        double ll = 0;
        for (int i = 0; i < n; i++) {
            if (!answered[i]) {
                System.arraycopy(priors, 0, t[i], 0, k);
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (double v : logT[i]) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (int c = 0; c < k; c++) {
                sum += Math.exp(logT[i][c] - max);
            }
            for (int c = 0; c < k; c++) {
                t[i][c] = Math.exp(logT[i][c] - max) / sum;
            }
            ll += max + Math.log(sum);
        }
        return ll;
    }

    /** Expected accuracy of an annotator: Σ_k p_k π_kk. */
    static double accuracy(double[] priors, double[][] confusion) {
        double acc = 0;
        for (int c = 0; c < priors.length; c++) {
            acc += priors[c] * confusion[c][c];
        }
        return acc;
    }

    static int argmax(double[] v) {
        int best = 0;
        for (int c = 1; c < v.length; c++) {
            if (v[c] > v[best]) {
                best = c;
            }
        }
        return best;
    }
}
