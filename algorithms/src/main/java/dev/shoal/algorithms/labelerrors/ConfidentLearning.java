package dev.shoal.algorithms.labelerrors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Confident learning: finds label errors from given labels and out-of-sample predicted probabilities,
 * following Northcutt, Jiang &amp; Chuang, "Confident Learning: Estimating Uncertainty in Dataset
 * Labels", JAIR 70 (2021), section 3, and the reference implementation's defaults (cleanlab 2.x
 * {@code count.compute_confident_joint}, {@code count.calibrate_confident_joint},
 * {@code count.estimate_joint}, {@code filter.find_label_issues} and
 * {@code rank.get_label_quality_scores}):
 * <ol>
 *   <li>per-class thresholds {@code t_j} = mean of {@code p(j | x)} over examples whose given label is j,
 *       clipped below at 2e-6 so that {@code p_j ≥ t_j - 1e-6} cannot hold for every example; a class that no
 *       example is labelled with gets {@code t_j = 2}, above any probability, so nothing is counted under it
 *       (cleanlab 2.3+ does both; its earlier versions required every class to be present);</li>
 *   <li>the confident joint {@code C[ỹ][y*]}: example x with given label ỹ is counted under y* when at
 *       least one class passes its threshold ({@code p_j ≥ t_j - 1e-6}); y* is the arg-max of {@code p_j}
 *       among the passing classes only (the paper's eq. 2): when exactly one class passes, that class, even
 *       if another class has a higher (but sub-threshold) probability. cleanlab 2.x does the same for one
 *       passing class; for several it takes the overall arg-max, which is the same class whenever the overall
 *       arg-max itself passes. The diagonal is clipped to at least 1;</li>
 *   <li>calibration: each row rescaled to the given label count of that class, the whole matrix to
 *       n, then rounded preserving row totals;</li>
 *   <li>the estimated joint {@code Q = C_calibrated / n};</li>
 *   <li>pruning ({@link Filter}): by noise rate (for each off-diagonal cell (ỹ=i, y*=j) flag the
 *       {@code C[i][j]} examples labelled i with the largest margin {@code p_j - p_i}), by class (flag the
 *       {@code n_i - C[i][i]} examples labelled i with the lowest {@code p_i}), or both (intersection);
 *       at least one example is kept per class and an example whose given label is the arg-max is never
 *       flagged.</li>
 * </ol>
 * Label-quality scores (higher = more likely correct): self-confidence {@code p_ỹ} and normalised
 * margin {@code (p_ỹ - max_{k≠ỹ} p_k + 1) / 2}. Issues are ranked by increasing score.
 *
 * <p>Runs in O(n K) time and memory apart from the per-cell partial sorts.
 */
public final class ConfidentLearning {

    /** Pruning rule, as cleanlab's {@code filter_by}. */
    public enum Filter { PRUNE_BY_NOISE_RATE, PRUNE_BY_CLASS, BOTH }

    /** Label-quality score used to rank issues. */
    public enum Score { SELF_CONFIDENCE, NORMALIZED_MARGIN }

    /**
     * Everything confident learning computes.
     *
     * @param thresholds        per-class thresholds t_j
     * @param confidentJoint    raw confident joint counts C[given][true] (before calibration; diagonal ≥ 1)
     * @param calibratedJoint   calibrated confident joint (rows sum to the given label counts)
     * @param joint             estimated joint distribution Q[given][true] (sums to 1)
     * @param isIssue           per example: flagged as a label issue
     * @param rankedIssues      indices of flagged examples, most likely error first (lowest score)
     * @param selfConfidence    per example p(given label)
     * @param normalizedMargin  per example (p_given - max other + 1) / 2
     * @param suggestedLabel    per example the arg-max class (for issues: the class other than the given one
     *                          with the highest probability)
     */
    public record Result(double[] thresholds, int[][] confidentJoint, int[][] calibratedJoint, double[][] joint,
                         boolean[] isIssue, int[] rankedIssues, double[] selfConfidence,
                         double[] normalizedMargin, int[] suggestedLabel) {

        /** Estimated number of label errors: n minus the trace of the calibrated joint. */
        public int estimatedErrorCount() {
            int off = 0;
            for (int i = 0; i < calibratedJoint.length; i++) {
                for (int j = 0; j < calibratedJoint.length; j++) if (i != j) off += calibratedJoint[i][j];
            }
            return off;
        }

        /** Scores chosen by {@code score}. */
        public double[] scores(Score score) {
            return score == Score.SELF_CONFIDENCE ? selfConfidence : normalizedMargin;
        }
    }

    private ConfidentLearning() {
    }

    /** Default run: prune by noise rate, rank by self-confidence (cleanlab's defaults). */
    public static Result findLabelIssues(int[] givenLabels, double[][] probs) {
        return findLabelIssues(givenLabels, probs, Filter.PRUNE_BY_NOISE_RATE, Score.SELF_CONFIDENCE);
    }

    /**
     * Runs confident learning.
     *
     * @param givenLabels class index per example in [0, K)
     * @param probs       n×K out-of-sample predicted probabilities (rows need not sum to exactly 1)
     */
    public static Result findLabelIssues(int[] givenLabels, double[][] probs, Filter filter, Score rankBy) {
        int n = givenLabels.length;
        validate(givenLabels, probs);
        int numClasses = probs.length == 0 ? 0 : probs[0].length;
        double[] thresholds = thresholds(givenLabels, probs, numClasses);
        int[][] cj = confidentJoint(givenLabels, probs, thresholds);
        int[] labelCounts = labelCounts(givenLabels, numClasses);
        int[][] calibrated = calibrate(cj, labelCounts);
        double[][] joint = new double[numClasses][numClasses];
        long total = 0;
        for (int[] row : calibrated) for (int v : row) total += v;
        for (int i = 0; i < numClasses; i++) {
            for (int j = 0; j < numClasses; j++) joint[i][j] = total == 0 ? 0 : calibrated[i][j] / (double) total;
        }

        int[][] prune = keepAtLeastOnePerClass(calibrated);
        boolean[] byNoise = filter != Filter.PRUNE_BY_CLASS ? pruneByNoiseRate(givenLabels, probs, prune, labelCounts) : null;
        boolean[] byClass = filter != Filter.PRUNE_BY_NOISE_RATE ? pruneByClass(givenLabels, probs, prune, labelCounts) : null;
        boolean[] issue = new boolean[n];
        double[] self = new double[n];
        double[] margin = new double[n];
        int[] suggested = new int[n];
        for (int i = 0; i < n; i++) {
            double[] p = probs[i];
            int y = givenLabels[i];
            int argmax = 0;
            int bestOther = -1;
            for (int c = 0; c < numClasses; c++) {
                if (p[c] > p[argmax]) argmax = c;
                if (c != y && (bestOther < 0 || p[c] > p[bestOther])) bestOther = c;
            }
            self[i] = p[y];
            double other = bestOther < 0 ? 0 : p[bestOther];
            margin[i] = (p[y] - other + 1) / 2;
            boolean flagged = switch (filter) {
                case PRUNE_BY_NOISE_RATE -> byNoise[i];
                case PRUNE_BY_CLASS -> byClass[i];
                case BOTH -> byNoise[i] && byClass[i];
            };
            // cleanlab: never flag an example whose given label is the model's prediction
            issue[i] = flagged && argmax != y;
            suggested[i] = issue[i] ? bestOther : argmax;
        }
        double[] rankScores = rankBy == Score.SELF_CONFIDENCE ? self : margin;
        int[] ranked = rankIssues(issue, rankScores);
        return new Result(thresholds, cj, calibrated, joint, issue, ranked, self, margin, suggested);
    }

    /** Indices with {@code isIssue} set, ordered by increasing score (ties by index). */
    public static int[] rankIssues(boolean[] isIssue, double[] scores) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < isIssue.length; i++) if (isIssue[i]) idx.add(i);
        idx.sort(Comparator.<Integer>comparingDouble(i -> scores[i]).thenComparingInt(i -> i));
        return idx.stream().mapToInt(Integer::intValue).toArray();
    }

    /** All example indices ordered by increasing score: the full label-quality ranking. */
    public static int[] rankAll(double[] scores) {
        Integer[] idx = new Integer[scores.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, Comparator.<Integer>comparingDouble(i -> scores[i]).thenComparingInt(i -> i));
        return Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
    }

    /** Lower bound of a threshold: twice the 1e-6 tolerance of the comparison {@code p_j ≥ t_j - 1e-6}. */
    static final double THRESHOLD_LOWER_BOUND = 2e-6;
    /** Threshold of a class no example is labelled with: above any probability, so it never passes. */
    static final double ABSENT_CLASS_THRESHOLD = 2.0;

    /**
     * t_j: mean p_j over the examples labelled j, at least {@link #THRESHOLD_LOWER_BOUND}; for a class with no
     * examples {@link #ABSENT_CLASS_THRESHOLD}.
     */
    public static double[] thresholds(int[] givenLabels, double[][] probs, int numClasses) {
        double[] sum = new double[numClasses];
        int[] count = new int[numClasses];
        for (int i = 0; i < givenLabels.length; i++) {
            sum[givenLabels[i]] += probs[i][givenLabels[i]];
            count[givenLabels[i]]++;
        }
        for (int j = 0; j < numClasses; j++) {
            sum[j] = count[j] == 0 ? ABSENT_CLASS_THRESHOLD : Math.max(sum[j] / count[j], THRESHOLD_LOWER_BOUND);
        }
        return sum;
    }

    /** The (uncalibrated) confident joint C[given][true] with its diagonal clipped to at least 1. */
    public static int[][] confidentJoint(int[] givenLabels, double[][] probs, double[] thresholds) {
        int numClasses = thresholds.length;
        int[][] cj = new int[numClasses][numClasses];
        for (int i = 0; i < givenLabels.length; i++) {
            double[] p = probs[i];
            // y* = arg-max of p_c over the classes that pass their threshold (none pass: not counted)
            int confidentArgmax = -1;
            for (int c = 0; c < numClasses; c++) {
                if (p[c] >= thresholds[c] - 1e-6 && (confidentArgmax < 0 || p[c] > p[confidentArgmax])) {
                    confidentArgmax = c;
                }
            }
            if (confidentArgmax < 0) continue;
            cj[givenLabels[i]][confidentArgmax]++;
        }
        for (int c = 0; c < numClasses; c++) cj[c][c] = Math.max(cj[c][c], 1);
        return cj;
    }

    /**
     * Calibrates the confident joint: row i scaled to the given count of class i, the whole to n, then
     * each row rounded preserving its total (cleanlab's {@code round_preserving_row_totals}).
     */
    public static int[][] calibrate(int[][] cj, int[] labelCounts) {
        int k = cj.length;
        double[][] cal = new double[k][k];
        double total = 0;
        for (int i = 0; i < k; i++) {
            double rowSum = Math.max(Arrays.stream(cj[i]).sum(), 1e-6);
            for (int j = 0; j < k; j++) {
                cal[i][j] = cj[i][j] / rowSum * labelCounts[i];
                total += cal[i][j];
            }
        }
        double n = Arrays.stream(labelCounts).sum();
        int[][] out = new int[k][];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) cal[i][j] = total <= 0 ? 0 : cal[i][j] / total * n;
            out[i] = roundPreservingSum(cal[i]);
        }
        return out;
    }

    /**
     * Rounds each value (half to even), then, while the integer sum differs from the rounded float sum,
     * moves the entries whose rounding went the other way: when 1s must be added, those with the largest
     * remainder {@code float - int} (ties: higher index first); when 1s must be taken away, those with the
     * smallest, i.e. most negative, remainder (ties: lower index first), as numpy's
     * {@code argsort(floats - ints)[::-increment]} in cleanlab's {@code round_preserving_sum}.
     */
    static int[] roundPreservingSum(double[] floats) {
        int k = floats.length;
        double[] ints = new double[k];
        double origSum = 0;
        double intSum = 0;
        for (int i = 0; i < k; i++) {
            ints[i] = Math.rint(floats[i]);
            origSum += floats[i];
            intSum += ints[i];
        }
        origSum = Math.rint(origSum);
        while (Math.abs(intSum - origSum) > 1e-6) {
            double diff = Math.rint(origSum - intSum);
            int inc = diff < 0 ? -1 : 1;
            int changes = (int) Math.min(Math.abs(diff), k);
            Integer[] order = new Integer[k];
            for (int i = 0; i < k; i++) order[i] = i;
            double[] ints0 = ints;
            // adding: descending by (float - int), ties by index descending (a stable argsort reversed);
            // subtracting: ascending by (float - int), ties by index ascending (a stable argsort)
            Arrays.sort(order, (a, b) -> {
                int c = Double.compare(floats[a] - ints0[a], floats[b] - ints0[b]);
                if (c == 0) c = Integer.compare(a, b);
                return inc > 0 ? -c : c;
            });
            for (int q = 0; q < changes; q++) ints[order[q]] += inc;
            intSum = 0;
            for (double v : ints) intSum += v;
        }
        int[] out = new int[k];
        for (int i = 0; i < k; i++) out[i] = (int) ints[i];
        return out;
    }

    /**
     * cleanlab's {@code _keep_at_least_n_per_class} with n = 1 and frac_noise = 1, expressed on C[given][true]:
     * a diagonal below 1 is raised to 1 and the increase taken evenly from the non-zero noise cells of the row.
     */
    static int[][] keepAtLeastOnePerClass(int[][] calibrated) {
        int k = calibrated.length;
        double[][] m = new double[k][k];
        for (int i = 0; i < k; i++) {
            int diag = calibrated[i][i];
            int newDiag = Math.max(diag, 1);
            int nonZero = 0;
            for (int j = 0; j < k; j++) if (calibrated[i][j] != 0) nonZero++;
            double per = (newDiag - diag) / Math.max(nonZero - 1.0, 1.0);
            for (int j = 0; j < k; j++) m[i][j] = Math.max(0, calibrated[i][j] - per);
            m[i][i] = newDiag;
        }
        int[][] out = new int[k][];
        for (int i = 0; i < k; i++) out[i] = roundPreservingSum(m[i]);
        return out;
    }

    private static boolean[] pruneByNoiseRate(int[] y, double[][] p, int[][] prune, int[] labelCounts) {
        int n = y.length;
        int k = prune.length;
        boolean[] mask = new boolean[n];
        int[][] byClass = indicesByClass(y, k);
        for (int given = 0; given < k; given++) {
            if (labelCounts[given] <= 1) continue;
            int[] members = byClass[given];
            for (int truth = 0; truth < k; truth++) {
                int num = prune[given][truth];
                if (truth == given || num <= 0) continue;
                final int t = truth;
                final int g = given;
                int[] top = topBy(members, i -> p[i][t] - p[i][g], Math.min(num, members.length), true);
                for (int i : top) mask[i] = true;
            }
        }
        return mask;
    }

    private static boolean[] pruneByClass(int[] y, double[][] p, int[][] prune, int[] labelCounts) {
        int n = y.length;
        int k = prune.length;
        boolean[] mask = new boolean[n];
        int[][] byClass = indicesByClass(y, k);
        for (int c = 0; c < k; c++) {
            if (labelCounts[c] <= 1) continue;
            int num = labelCounts[c] - prune[c][c];
            if (num <= 0) continue;
            final int cc = c;
            int[] lowest = topBy(byClass[c], i -> p[i][cc], Math.min(num, byClass[c].length), false);
            for (int i : lowest) mask[i] = true;
        }
        return mask;
    }

    /** The {@code m} members with the largest (or smallest) key; ties broken by lower index. */
    private static int[] topBy(int[] members, java.util.function.IntToDoubleFunction key, int m, boolean largest) {
        Integer[] idx = Arrays.stream(members).boxed().toArray(Integer[]::new);
        Comparator<Integer> cmp = Comparator.comparingDouble(key::applyAsDouble);
        if (largest) cmp = cmp.reversed();
        Arrays.sort(idx, cmp.thenComparingInt(i -> i));
        int[] out = new int[m];
        for (int q = 0; q < m; q++) out[q] = idx[q];
        return out;
    }

    private static int[][] indicesByClass(int[] y, int k) {
        int[] counts = new int[k];
        for (int v : y) counts[v]++;
        int[][] out = new int[k][];
        for (int c = 0; c < k; c++) out[c] = new int[counts[c]];
        int[] fill = new int[k];
        for (int i = 0; i < y.length; i++) out[y[i]][fill[y[i]]++] = i;
        return out;
    }

    static int[] labelCounts(int[] y, int k) {
        int[] counts = new int[k];
        for (int v : y) counts[v]++;
        return counts;
    }

    private static void validate(int[] y, double[][] probs) {
        if (y.length != probs.length) {
            throw new IllegalArgumentException("givenLabels has " + y.length + " rows but probs has " + probs.length);
        }
        if (probs.length == 0) return;
        int k = probs[0].length;
        if (k < 2) throw new IllegalArgumentException("probs must have at least 2 classes, row 0 has " + k);
        for (int i = 0; i < y.length; i++) {
            if (probs[i] == null || probs[i].length != k) {
                throw new IllegalArgumentException("probs row " + i + " has " + (probs[i] == null ? 0 : probs[i].length)
                        + " classes, expected " + k);
            }
            if (y[i] < 0 || y[i] >= k) {
                throw new IllegalArgumentException("givenLabels[" + i + "] = " + y[i] + " is outside [0, " + k + ")");
            }
            for (int c = 0; c < k; c++) {
                double v = probs[i][c];
                if (!(v >= 0 && v <= 1.000001)) {
                    throw new IllegalArgumentException("probs[" + i + "][" + c + "] = " + v + " is not a probability");
                }
            }
        }
    }
}
