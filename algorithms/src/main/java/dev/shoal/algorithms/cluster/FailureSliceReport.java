package dev.shoal.algorithms.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.distribution.HypergeometricDistribution;

/**
 * Failure-slice report: for each group of examples (a cluster, or one value of a metadata field such as
 * camera or site), its size, class mix, model accuracy and error lift against the whole set, with a
 * one-sided Fisher exact test (the hypergeometric upper tail P(X ≥ errors) of drawing the group from
 * the whole set; Fisher 1922) of "this group has more errors than the rest", and Benjamini–Hochberg
 * false-discovery-rate q-values across the tested groups (Benjamini &amp; Hochberg, JRSS B 1995). Slices
 * are ranked significant first, then by lift, then by size: the "cluster of green cones: 61% error vs 8%
 * overall" comes out on top. This is the slice-discovery report of e.g. Eyuboglu et al., "Domino:
 * Discovering Systematic Errors with Cross-Modal Embeddings" (ICLR 2022), over given groups.
 */
public final class FailureSliceReport {

    /**
     * @param alpha        false-discovery rate for {@code significant}
     * @param minSize      groups smaller than this are listed last and not tested
     * @param includeNoise whether the HDBSCAN noise group (cluster -1) is reported as a slice
     */
    public record Options(double alpha, int minSize, boolean includeNoise) {
        public static Options defaults() {
            return new Options(0.05, 10, false);
        }
    }

    /**
     * One slice. {@code classCounts[c]} counts members with label c (empty when no labels were given);
     * {@code lift} = errorRate / overall error rate; {@code pValue}/{@code qValue} are NaN for untested slices.
     */
    public record Slice(String key, int size, int errors, double errorRate, double accuracy, double lift,
                        double pValue, double qValue, boolean significant, int[] classCounts) {
    }

    /** The whole set's numbers and the ranked slices. */
    public record Report(int total, int totalErrors, double overallErrorRate, List<Slice> slices) {
    }

    private FailureSliceReport() {
    }

    /**
     * Slices by cluster id (e.g. {@link Hdbscan.Result#labels()} or {@link KMeans.Result#assignment()}).
     *
     * @param error  per example: the model got it wrong (or it is a label issue)
     * @param labels per example class in [0, numClasses) for the class mix, or null; negative = unlabelled
     */
    public static Report byCluster(int[] cluster, boolean[] error, int[] labels, int numClasses, Options o) {
        String[] keys = new String[cluster.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = cluster[i] < 0 ? (o.includeNoise() ? "noise" : null) : Integer.toString(cluster[i]);
        }
        return byMetadata(keys, error, labels, numClasses, o);
    }

    /** Slices by metadata value ({@code values[i]} null = example not in any slice, still in the totals). */
    public static Report byMetadata(String[] values, boolean[] error, int[] labels, int numClasses, Options o) {
        int n = values.length;
        if (error.length != n || (labels != null && labels.length != n)) {
            throw new IllegalArgumentException("values, error and labels must have the same length (" + n + ")");
        }
        int totalErrors = 0;
        for (boolean e : error) if (e) totalErrors++;
        double overall = n == 0 ? 0 : totalErrors / (double) n;
        Map<String, int[]> counts = new LinkedHashMap<>(); // size, errors, classCounts...
        for (int i = 0; i < n; i++) {
            if (values[i] == null) continue;
            int[] c = counts.computeIfAbsent(values[i], x -> new int[2 + Math.max(numClasses, 0)]);
            c[0]++;
            if (error[i]) c[1]++;
            if (labels != null && labels[i] >= 0 && labels[i] < numClasses) c[2 + labels[i]]++;
        }
        List<String> keys = new ArrayList<>(counts.keySet());
        double[] p = new double[keys.size()];
        List<Integer> tested = new ArrayList<>();
        for (int s = 0; s < keys.size(); s++) {
            int[] c = counts.get(keys.get(s));
            if (c[0] >= o.minSize()) {
                p[s] = fisherUpperTail(n, totalErrors, c[0], c[1]);
                tested.add(s);
            } else {
                p[s] = Double.NaN;
            }
        }
        double[] testedP = tested.stream().mapToDouble(s -> p[s]).toArray();
        double[] testedQ = benjaminiHochberg(testedP);
        double[] q = new double[keys.size()];
        Arrays.fill(q, Double.NaN);
        for (int t = 0; t < tested.size(); t++) q[tested.get(t)] = testedQ[t];
        List<Slice> slices = new ArrayList<>();
        for (int s = 0; s < keys.size(); s++) {
            int[] c = counts.get(keys.get(s));
            double rate = c[1] / (double) c[0];
            double lift = overall == 0 ? (rate == 0 ? 1 : Double.POSITIVE_INFINITY) : rate / overall;
            boolean sig = !Double.isNaN(q[s]) && q[s] <= o.alpha() && rate > overall;
            slices.add(new Slice(keys.get(s), c[0], c[1], rate, 1 - rate, lift, p[s], q[s], sig,
                    labels == null ? new int[0] : Arrays.copyOfRange(c, 2, c.length)));
        }
        slices.sort(Comparator.comparing((Slice s) -> Double.isNaN(s.pValue()))
                .thenComparing(s -> !s.significant())
                .thenComparing(Comparator.comparingDouble(Slice::lift).reversed())
                .thenComparing(Comparator.comparingInt(Slice::size).reversed())
                .thenComparing(Slice::key));
        return new Report(n, totalErrors, overall, slices);
    }

    /** One-sided Fisher exact p-value: P(X ≥ errorsInGroup), X ~ Hypergeometric(total, totalErrors, groupSize). */
    public static double fisherUpperTail(int total, int totalErrors, int groupSize, int errorsInGroup) {
        if (errorsInGroup <= 0) return 1.0;
        HypergeometricDistribution h = new HypergeometricDistribution(null, total, totalErrors, groupSize);
        return Math.min(1.0, Math.max(0.0, h.upperCumulativeProbability(errorsInGroup)));
    }

    /** Benjamini–Hochberg step-up q-values, in the input order. */
    public static double[] benjaminiHochberg(double[] p) {
        int m = p.length;
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingDouble(i -> p[i]));
        double[] q = new double[m];
        double running = 1.0;
        for (int r = m - 1; r >= 0; r--) {
            int i = order[r];
            running = Math.min(running, p[i] * m / (r + 1));
            q[i] = running;
        }
        return q;
    }
}
