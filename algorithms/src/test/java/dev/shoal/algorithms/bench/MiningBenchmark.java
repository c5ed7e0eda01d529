package dev.shoal.algorithms.bench;

import dev.shoal.algorithms.cluster.FailureSliceReport;
import dev.shoal.algorithms.cluster.Hdbscan;
import dev.shoal.algorithms.cluster.KMeans;
import dev.shoal.algorithms.duplicates.NearDuplicates;
import dev.shoal.algorithms.knn.KnnGraph;
import dev.shoal.algorithms.labelerrors.ConfidentLearning;
import dev.shoal.algorithms.labelerrors.OutOfSampleProbabilities;
import dev.shoal.algorithms.outliers.KnnOutliers;
import dev.shoal.algorithms.outliers.LocalOutlierFactor;
import dev.shoal.algorithms.projection.Umap;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Mining benchmark (docs/benchmarks/mining.md) on synthetic clustered 384-d embeddings: for each size,
 * the k-NN graph, label errors without inferences (k-NN out-of-sample probabilities + confident
 * learning), clusters (mini-batch k-means and HDBSCAN on the graph) with the failure-slice report,
 * outliers (k-NN distance and LOF), near-duplicates, and the UMAP 2-D map. Prints wall and process-CPU
 * seconds per step.
 *
 * <p>Args: sizes, e.g. {@code 25000 50000 100000}; add {@code nomap} to skip UMAP.
 */
public final class MiningBenchmark {

    static final int DIM = 384;
    static final int CENTRES = 200;
    static final int CLASSES = 20;

    record Step(String name, double wall, double cpu) {
    }

    public static void main(String[] args) {
        Locale.setDefault(Locale.ROOT);
        boolean map = true;
        List<Integer> sizes = new ArrayList<>();
        for (String a : args) {
            if (a.equals("nomap")) map = false;
            else sizes.add(Integer.parseInt(a));
        }
        if (sizes.isEmpty()) sizes = List.of(25_000, 50_000, 100_000);
        System.out.printf("cores=%d maxHeap=%d MiB load(1m)=%.1f%n", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        for (int n : sizes) run(n, map);
    }

    static void run(int n, boolean map) {
        Random r = new Random(n);
        float[][] centres = new float[CENTRES][DIM];
        for (float[] c : centres) for (int d = 0; d < DIM; d++) c[d] = (float) r.nextGaussian();
        float[][] x = new float[n][DIM];
        int[] truth = new int[n];
        int[] given = new int[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(CENTRES);
            truth[i] = c % CLASSES;
            given[i] = r.nextDouble() < 0.1 ? r.nextInt(CLASSES) : truth[i];
            double spread = 0.4 + 0.4 * (c % 3); // clusters of three densities
            if (i % 200 == 0) { // 0.5% outliers: random directions
                for (int d = 0; d < DIM; d++) x[i][d] = (float) r.nextGaussian();
            } else if (i % 100 == 1 && i > 1) { // 1% near-duplicates of the previous frame
                for (int d = 0; d < DIM; d++) x[i][d] = x[i - 1][d] + (float) (0.01 * r.nextGaussian());
                truth[i] = truth[i - 1];
                given[i] = given[i - 1];
            } else {
                for (int d = 0; d < DIM; d++) x[i][d] = centres[c][d] + (float) (spread * r.nextGaussian());
            }
        }
        boolean[] error = new boolean[n];
        System.gc();
        List<Step> steps = new ArrayList<>();
        long[] t = start();
        KnnGraph g = KnnGraph.build(x, 15);
        steps.add(stop("k-NN graph (NN-Descent from 8 RP trees, k=15, " + (dev.shoal.algorithms.knn.Dot.SIMD ? "SIMD" : "scalar") + " dot products)", t));

        t = start();
        double[][] p = OutOfSampleProbabilities.knn(g, given, CLASSES, OutOfSampleProbabilities.KnnOptions.defaults());
        ConfidentLearning.Result cl = ConfidentLearning.findLabelIssues(given, p);
        steps.add(stop("label errors: k-NN OOS probabilities + confident learning", t));
        for (int i = 0; i < n; i++) {
            int arg = 0;
            for (int c = 1; c < CLASSES; c++) if (p[i][c] > p[i][arg]) arg = c;
            error[i] = arg != given[i];
        }

        t = start();
        KMeans.Result km = KMeans.fit(x, new KMeans.Options(100, 100, 1024, 0, 10_000, 1));
        steps.add(stop("k-means (k=100, k-means++ on 10k, 100 mini-batches of 1024, full assignment)", t));

        t = start();
        Hdbscan.Result hdb = Hdbscan.fit(g, new Hdbscan.Options(Math.max(20, n / 2000), 10));
        steps.add(stop("HDBSCAN on the k-NN graph", t));

        t = start();
        FailureSliceReport.Report rep = FailureSliceReport.byCluster(hdb.labels(), error, given, CLASSES,
                FailureSliceReport.Options.defaults());
        FailureSliceReport.byCluster(km.assignment(), error, given, CLASSES, FailureSliceReport.Options.defaults());
        steps.add(stop("failure-slice reports (both clusterings)", t));

        t = start();
        double[] knnScore = KnnOutliers.meanDistance(g, 15);
        double[] lof = LocalOutlierFactor.scores(g, 15);
        steps.add(stop("outliers: k-NN distance + LOF", t));

        t = start();
        List<NearDuplicates.Group> dups = NearDuplicates.groups(g, x, 0.995);
        steps.add(stop("near-duplicate groups (cos >= 0.995)", t));

        double core = 0;
        double coreCpu = 0;
        for (Step s : steps) {
            core += s.wall();
            coreCpu += s.cpu();
        }
        Step umap = null;
        if (map) {
            t = start();
            float[][] layout = Umap.embed(g, x, Umap.Options.defaults());
            umap = stop("UMAP 2-D map (200 epochs, reusing the graph)", t);
            System.out.printf("map quality: %.3f of sampled nodes' 15 graph neighbours are among their 15 nearest in 2-D%n",
                    UmapBenchmark.preservation(g, layout, 1000));
        }
        int outHits = 0;
        int knnHits = 0;
        int[] rank = KnnOutliers.rankDescending(lof);
        int[] rankKnn = KnnOutliers.rankDescending(knnScore);
        // each planted outlier (i % 200 == 0) has a planted near-copy (i + 1): 2n/200 isolated points in all
        for (int q = 0; q < n / 100; q++) {
            if (rank[q] % 200 <= 1) outHits++;
            if (rankKnn[q] % 200 <= 1) knnHits++;
        }
        int dupPairs = 0;
        for (int i = 101; i < n; i += 100) {
            if (g.neighbor(i, 0) == i - 1 || g.neighbor(i - 1, 0) == i) dupPairs++;
        }
        System.out.printf("%n## n = %d (384-d, %d centres, load(1m)=%.1f)%n", n, CENTRES,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.println("| step | wall s | process CPU s |");
        System.out.println("|---|---|---|");
        for (Step s : steps) System.out.printf("| %s | %.1f | %.1f |%n", s.name(), s.wall(), s.cpu());
        System.out.printf("| **label errors + clusters + outliers + duplicates** | **%.1f** | **%.1f** |%n", core, coreCpu);
        if (umap != null) System.out.printf("| %s | %.1f | %.1f |%n", umap.name(), umap.wall(), umap.cpu());
        System.out.printf("sanity: %d label issues flagged, %d HDBSCAN clusters, top slice lift %.2f, %d duplicate groups, "
                        + "%d of %d planted duplicate pairs linked in the graph, top-%d by LOF / by k-NN distance hold %d / %d "
                        + "planted outliers or their copies, heap used %d MiB%n",
                cl.rankedIssues().length, hdb.numClusters(), rep.slices().isEmpty() ? 0 : rep.slices().get(0).lift(),
                dups.size(), dupPairs, (n - 2) / 100, n / 100, outHits, knnHits,
                (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
        if (knnScore.length != n) throw new IllegalStateException();
    }

    static long[] start() {
        return new long[] {System.nanoTime(), cpu()};
    }

    static Step stop(String name, long[] t) {
        Step s = new Step(name, (System.nanoTime() - t[0]) / 1e9, (cpu() - t[1]) / 1e9);
        // progress on stderr as each step ends (a long run that is stopped still leaves its finished steps)
        System.err.printf("  done: %s: %.1f s wall, %.1f s CPU, heap used %d MiB%n", name, s.wall(), s.cpu(),
                (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
        return s;
    }

    static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
