package dev.shoal.algorithms.bench;

import dev.shoal.algorithms.knn.KnnGraph;
import dev.shoal.algorithms.projection.Umap;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * UMAP optimisation benchmark (docs/benchmarks/mining.md), without the cost of building a k-NN graph:
 * the graph is a 2-D lattice (each node's k nearest lattice points, at their Euclidean lattice distance)
 * with node ids randomly permuted, so memory access is as scattered as for a graph built from real data.
 * Prints wall and process-CPU seconds of {@link Umap#embed} with random initialisation, and how well the
 * layout keeps the graph: for 1,000 sampled nodes, the fraction of their k graph neighbours found among
 * their k nearest points in 2-D.
 *
 * <p>Args: {@code n epochs [repeats]}, n a perfect square, e.g. {@code 1000000 20 3}.
 */
public final class UmapBenchmark {

    public static void main(String[] args) {
        Locale.setDefault(Locale.ROOT);
        int n = Integer.parseInt(args[0]);
        int epochs = Integer.parseInt(args[1]);
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int k = 15;
        KnnGraph g = lattice(n, k, 7);
        System.out.printf("n=%d k=%d epochs=%d threads=%d load(1m)=%.1f%n", n, k, epochs,
                Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        double[] wall = new double[repeats];
        for (int rep = 0; rep < repeats; rep++) {
            long t0 = System.nanoTime();
            long c0 = MiningBenchmark.cpu();
            float[][] y = Umap.embed(g, null, Umap.Options.defaults().withEpochs(epochs));
            wall[rep] = (System.nanoTime() - t0) / 1e9;
            double cpu = (MiningBenchmark.cpu() - c0) / 1e9;
            System.out.printf("run %d: %.1f s wall, %.1f s CPU, neighbour preservation %.3f, load(1m)=%.1f%n", rep + 1,
                    wall[rep], cpu, preservation(g, y, 1000), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
        Arrays.sort(wall);
        System.out.printf("median wall %.1f s%n", wall[repeats / 2]);
    }

    /** k-NN graph of an n-point square lattice, node ids shuffled. */
    static KnnGraph lattice(int n, int k, long seed) {
        int side = (int) Math.ceil(Math.sqrt(n));
        // perm[p] = node id of lattice position p: ids shuffled so memory order says nothing about the layout
        List<Integer> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) ids.add(i);
        Collections.shuffle(ids, new Random(seed));
        int[] perm = ids.stream().mapToInt(Integer::intValue).toArray();
        // lattice offsets within radius 4, nearest first
        int[][] off = new int[80][];
        int m = 0;
        for (int dx = -4; dx <= 4; dx++) {
            for (int dy = -4; dy <= 4; dy++) if ((dx != 0 || dy != 0) && dx * dx + dy * dy <= 16) off[m++] = new int[] {dx, dy};
        }
        int[][] offs = Arrays.copyOf(off, m);
        Arrays.sort(offs, (a, b) -> Integer.compare(a[0] * a[0] + a[1] * a[1], b[0] * b[0] + b[1] * b[1]));
        int[] nb = new int[n * k];
        float[] dist = new float[n * k];
        for (int p = 0; p < n; p++) { // p = lattice position, perm[p] = node id
            int px = p % side;
            int py = p / side;
            int id = perm[p];
            int c = 0;
            for (int[] o : offs) {
                int qx = px + o[0];
                int qy = py + o[1];
                int q = qy * side + qx;
                if (qx < 0 || qy < 0 || qx >= side || q >= n) continue;
                nb[id * k + c] = perm[q];
                dist[id * k + c] = (float) (0.05 * Math.sqrt(o[0] * o[0] + o[1] * o[1]));
                if (++c == k) break;
            }
            if (c < k) throw new IllegalArgumentException("n must be a perfect square (a full lattice), was " + n);
        }
        return KnnGraph.of(n, k, nb, dist);
    }

    static double preservation(KnnGraph g, float[][] y, int samples) {
        int n = y.length;
        int k = g.k();
        Random r = new Random(3);
        long hit = 0;
        double[] d = new double[n];
        double[] top = new double[k]; // the k smallest 2-D distances seen, ascending
        for (int s = 0; s < samples; s++) {
            int i = r.nextInt(n);
            Arrays.fill(top, Double.MAX_VALUE);
            for (int j = 0; j < n; j++) {
                double dx = y[i][0] - y[j][0];
                double dy = y[i][1] - y[j][1];
                d[j] = j == i ? Double.MAX_VALUE : dx * dx + dy * dy;
                if (d[j] < top[k - 1]) {
                    int q = k - 1;
                    while (q > 0 && top[q - 1] > d[j]) {
                        top[q] = top[q - 1];
                        q--;
                    }
                    top[q] = d[j];
                }
            }
            for (int j = 0; j < k; j++) if (d[g.neighbor(i, j)] <= top[k - 1]) hit++;
        }
        return hit / (double) (samples * k);
    }
}
