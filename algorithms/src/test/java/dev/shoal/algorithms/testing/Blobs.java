package dev.shoal.algorithms.testing;

import java.util.Random;

/** Synthetic clustered embeddings for tests and benchmarks: Gaussian blobs around random centres. */
public final class Blobs {
    public final float[][] x;
    public final int[] blob;

    private Blobs(float[][] x, int[] blob) {
        this.x = x;
        this.blob = blob;
    }

    /**
     * {@code n} points in {@code dim} dimensions around {@code centres} random centres (standard normal
     * coordinates), each point = centre + N(0, spread²) per coordinate; the point's blob is {@code i % centres}.
     */
    public static Blobs generate(int n, int dim, int centres, double spread, long seed) {
        Random r = new Random(seed);
        float[][] c = new float[centres][dim];
        for (float[] row : c) for (int d = 0; d < dim; d++) row[d] = (float) r.nextGaussian();
        float[][] x = new float[n][dim];
        int[] b = new int[n];
        for (int i = 0; i < n; i++) {
            b[i] = i % centres;
            for (int d = 0; d < dim; d++) x[i][d] = c[b[i]][d] + (float) (spread * r.nextGaussian());
        }
        return new Blobs(x, b);
    }

    /** Exact k nearest neighbours (cosine) by brute force: the test oracle, O(n²). */
    public static int[][] exactKnn(float[][] x, int k) {
        int n = x.length;
        int[][] out = new int[n][];
        double[] norms = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (float v : x[i]) s += v * v;
            norms[i] = Math.sqrt(s);
        }
        java.util.stream.IntStream.range(0, n).parallel().forEach(i -> {
            int kk = Math.min(k, n - 1);
            int[] best = new int[kk];
            double[] bestD = new double[kk];
            java.util.Arrays.fill(bestD, Double.MAX_VALUE);
            for (int j = 0; j < n; j++) {
                if (j == i) continue;
                double dot = 0;
                for (int q = 0; q < x[i].length; q++) dot += x[i][q] * x[j][q];
                double d = 1 - dot / (norms[i] * norms[j]);
                if (d >= bestD[kk - 1]) continue;
                int p = kk - 1;
                while (p > 0 && bestD[p - 1] > d) {
                    bestD[p] = bestD[p - 1];
                    best[p] = best[p - 1];
                    p--;
                }
                bestD[p] = d;
                best[p] = j;
            }
            out[i] = best;
        });
        return out;
    }
}
