package dev.shoal.algorithms.bench;

import dev.shoal.algorithms.knn.Dot;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Benchmark, not a test: the cosine of a fixed vector against many stored ones (what every HNSW insert and search of
 * the embedded store does), as two dot-product passes ({@code a.b}, then {@code b.b}) against the fused
 * {@link Dot#cosine} that reads each stored vector once. Alternating rounds, medians, ratio within the run.
 *
 * <pre>
 * MAVEN_OPTS="--add-modules jdk.incubator.vector" mvn -B -q -o -pl algorithms test-compile exec:java \
 *   -Dexec.mainClass=dev.shoal.algorithms.bench.CosineKernelBenchmark -Dexec.classpathScope=test \
 *   -Dexec.args="384 20000 9"
 * </pre>
 * Arguments: dimension, stored vectors, rounds.
 */
public final class CosineKernelBenchmark {

    private CosineKernelBenchmark() {
    }

    public static void main(String[] args) {
        int dim = args.length > 0 ? Integer.parseInt(args[0]) : 384;
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 9;
        Random random = new Random(7);
        float[][] stored = new float[n][dim];
        for (float[] v : stored) {
            for (int i = 0; i < dim; i++) {
                v[i] = (float) random.nextGaussian();
            }
        }
        float[] q = stored[0].clone();
        float qq = Dot.dot(q, q);
        double sink = 0;
        for (int w = 0; w < 20; w++) { // warm-up: both kernels compiled by C2
            sink += twoPass(q, qq, stored) + fused(q, qq, stored);
        }
        List<Double> two = new ArrayList<>();
        List<Double> one = new ArrayList<>();
        List<Double> ratio = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            sink += twoPass(q, qq, stored);
            long t1 = System.nanoTime();
            sink += fused(q, qq, stored);
            long t2 = System.nanoTime();
            two.add((t1 - t0) / (double) n);
            one.add((t2 - t1) / (double) n);
            ratio.add((t2 - t1) / (double) (t1 - t0));
        }
        System.out.printf("RESULT dim=%d n=%d rounds=%d simd=%s two_pass_median=%.1f ns fused_median=%.1f ns "
                        + "fused/two_pass median of round ratios=%.3f (sink %.1f)%n", dim, n, rounds, Dot.SIMD,
                median(two), median(one), median(ratio), sink);
    }

    private static double twoPass(float[] q, float qq, float[][] stored) {
        double s = 0;
        for (float[] b : stored) {
            s += Dot.dot(q, b) / Math.sqrt((double) qq * (double) Dot.dot(b, b));
        }
        return s;
    }

    private static double fused(float[] q, float qq, float[][] stored) {
        double s = 0;
        for (float[] b : stored) {
            s += Dot.cosine(q, qq, b);
        }
        return s;
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(Double::compare);
        int m = s.size() / 2;
        return s.size() % 2 == 1 ? s.get(m) : (s.get(m - 1) + s.get(m)) / 2;
    }
}
