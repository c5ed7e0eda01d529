package dev.shoal.embedding.bench;

import dev.shoal.embedding.store.SearchHit;
import dev.shoal.embedding.store.SearchQuery;
import dev.shoal.embedding.store.VectorFilter;
import dev.shoal.embedding.store.VectorRecord;
import dev.shoal.embedding.store.embedded.LuceneVectorStore;
import dev.shoal.testkit.KeyValueArgs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * ANN benchmark of the embedded store ({@link LuceneVectorStore}): recall@10 against exact (brute-force cosine)
 * search, and single-thread query latency p50/p99, on clustered synthetic vectors. See docs/benchmarks/ann.md.
 *
 * <p>Data: {@code clusters} centres drawn from N(0, I_dim) and normalised; each vector is
 * normalise(centre + noise), noise ~ N(0, (spread^2 / dim) I), its centre chosen uniformly; the queries are fresh
 * draws from the same mixture (not indexed vectors). Seeds are fixed, so a rerun sees the same data.
 *
 * <p>Run: {@code mvn -q -o -pl embedding-service exec:java -Dexec.mainClass=dev.shoal.embedding.bench.AnnBenchmark
 * -Dexec.classpathScope=test -Dexec.args="n=100000 m=16 beam=100 ef=10,50,100"} (MAVEN_OPTS=-Xmx...).
 * Arguments (key=value): n, dim (384), clusters (n/100), spread (0.75), queries (1000), warmup (200), k (10),
 * m, beam, ef (comma list), threads (indexing threads = cores), merge (true: force-merge to one segment
 * and measure again), reuse (true: measure the index an earlier run left in dir, no rebuild), dir (target/ann-bench).
 * Latency is wall time and the query thread's CPU time (ThreadMXBean): on a shared machine the second is the
 * better measure of what one query costs on one core.
 */
public final class AnnBenchmark {

    public static void main(String[] args) throws Exception {
        KeyValueArgs a = new KeyValueArgs(args);
        Data d = Data.from(a, 100000);
        int n = d.n();
        int dim = d.dim();
        int clusters = d.clusters();
        double spread = d.spread();
        int queries = a.integer("queries", 1000);
        int warmup = a.integer("warmup", 200);
        int k = a.integer("k", 10);
        int m = a.integer("m", LuceneVectorStore.DEFAULT_MAX_CONN);
        int beam = a.integer("beam", LuceneVectorStore.DEFAULT_BEAM_WIDTH);
        int[] efs = Arrays.stream(a.text("ef", "10,20,50,100").split(",")).mapToInt(Integer::parseInt).toArray();
        int threads = a.integer("threads", Runtime.getRuntime().availableProcessors());
        boolean merge = Boolean.parseBoolean(a.text("merge", "true"));
        boolean reuse = Boolean.parseBoolean(a.text("reuse", "false"));
        Path dir = Path.of(a.text("dir", "target/ann-bench")).resolve("n" + n + "-m" + m + "-b" + beam);

        System.out.printf(Locale.ROOT, "# ANN benchmark: n=%d dim=%d clusters=%d spread=%.2f queries=%d k=%d M=%d beam=%d "
                        + "indexing threads=%d cores=%d java=%s heap=%dMB%n", n, dim, clusters, spread, queries, k, m, beam,
                threads, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20);

        long t0 = System.nanoTime();
        float[][] centres = d.centres();
        float[][] data = mixture(2, n, centres, spread, threads);
        float[][] qs = mixture(3, queries + warmup, centres, spread, threads);
        System.out.printf(Locale.ROOT, "generated in %.1f s%n", secs(t0));

        t0 = System.nanoTime();
        Path truthFile = dir.getParent().resolve(String.format(Locale.ROOT, "truth-n%d-d%d-c%d-s%.2f-q%d-w%d-k%d.bin",
                n, dim, clusters, spread, queries, warmup, k));
        int[][] truth = readTruth(truthFile, queries, k);
        if (truth == null) {
            truth = exactTopK(data, Arrays.copyOfRange(qs, warmup, warmup + queries), k, threads);
            writeTruth(truthFile, truth);
            System.out.printf(Locale.ROOT, "exact top-%d of %d queries (brute force, %d threads) in %.1f s%n",
                    k, queries, threads, secs(t0));
        } else {
            System.out.printf(Locale.ROOT, "exact top-%d of %d queries read from %s%n", k, queries, truthFile);
        }

        LuceneVectorStore.Options options = LuceneVectorStore.Options.defaults()
                .withGraph(m, beam).withCommitInterval(Duration.ZERO).withIndexing(1024, threads);
        if (reuse && Files.exists(dir)) {
            try (LuceneVectorStore store = new LuceneVectorStore(dir, options)) {
                System.out.printf(Locale.ROOT, "reusing the index in %s: %d vectors, %d segment(s)%n", dir,
                        store.count("bench", "bench@1"), segments(dir));
                measure(store, qs, warmup, truth, k, efs, segments(dir) + " segment(s)");
            }
            return;
        }
        deleteRecursively(dir);
        try (LuceneVectorStore store = new LuceneVectorStore(dir, options)) {
            t0 = System.nanoTime();
            index(store, data, threads);
            store.commit();
            double build = secs(t0);
            System.out.printf(Locale.ROOT, "build: %d vectors indexed and committed in %.1f s (%.0f vectors/s), %d segment(s), %d MB on disk%n",
                    n, build, n / build, segments(dir), sizeMb(dir));
            measure(store, qs, warmup, truth, k, efs, "as built");
            if (merge) {
                t0 = System.nanoTime();
                store.forceMerge(1);
                store.commit();
                System.out.printf(Locale.ROOT, "force-merge to 1 segment in %.1f s (%d threads), %d MB on disk%n",
                        secs(t0), threads, sizeMb(dir));
                measure(store, qs, warmup, truth, k, efs, "merged");
            }
        }
    }

    private static void measure(LuceneVectorStore store, float[][] qs, int warmup, int[][] truth, int k, int[] efs,
                                String label) {
        VectorFilter filter = VectorFilter.of("bench", "bench@1");
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        System.out.printf(Locale.ROOT, "%n| index | ef | recall@%d | p50 ms | p99 ms | mean ms | CPU p50 ms | CPU p99 ms |%n"
                + "|---|---|---|---|---|---|---|---|%n", k);
        for (int ef : efs) {
            store.efSearch(ef);
            for (int i = 0; i < warmup; i++) {
                store.search(new SearchQuery(qs[i], k, filter));
            }
            int q = truth.length;
            long[] nanos = new long[q];
            long[] cpuNanos = new long[q];
            double recall = 0;
            for (int i = 0; i < q; i++) {
                long c = cpu.getCurrentThreadCpuTime();
                long s = System.nanoTime();
                List<SearchHit> hits = store.search(new SearchQuery(qs[warmup + i], k, filter));
                nanos[i] = System.nanoTime() - s;
                cpuNanos[i] = cpu.getCurrentThreadCpuTime() - c;
                recall += recall(hits, truth[i]);
            }
            Arrays.sort(nanos);
            Arrays.sort(cpuNanos);
            int p99 = (int) Math.min(q - 1, Math.ceil(q * 0.99) - 1);
            double mean = Arrays.stream(nanos).average().orElse(0) / 1e6;
            System.out.printf(Locale.ROOT, "| %s | %d | %.4f | %.3f | %.3f | %.3f | %.3f | %.3f |%n", label, ef, recall / q,
                    nanos[q / 2] / 1e6, nanos[p99] / 1e6, mean, cpuNanos[q / 2] / 1e6, cpuNanos[p99] / 1e6);
        }
    }

    /** The share of {@code truth} (ids of the exact top k) among the hits, whose frame ids are those ids. */
    static double recall(List<SearchHit> hits, int[] truth) {
        Set<Integer> want = new HashSet<>();
        for (int id : truth) {
            want.add(id);
        }
        int found = 0;
        for (SearchHit h : hits) {
            if (want.contains(Integer.parseInt(h.record().frameId()))) {
                found++;
            }
        }
        return found / (double) truth.length;
    }

    /** The clustered synthetic data of the benchmarks (see the class comment), sized by n, dim, clusters, spread. */
    record Data(int n, int dim, int clusters, double spread) {
        static Data from(KeyValueArgs a, int defaultN) {
            int n = a.integer("n", defaultN);
            return new Data(n, a.integer("dim", 384), a.integer("clusters", Math.max(10, n / 100)), a.real("spread", 0.75));
        }

        /** The cluster centres: the same for every run with the same dim and clusters. */
        float[][] centres() {
            return gaussianUnit(new Random(1), clusters, dim, null, 0);
        }
    }

    private static void index(LuceneVectorStore store, float[][] data, int threads) throws Exception {
        int batch = 1000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int from = 0; from < data.length; from += batch) {
                int start = from;
                int end = Math.min(data.length, from + batch);
                fs.add(pool.submit(() -> {
                    List<VectorRecord> rows = new ArrayList<>(end - start);
                    for (int i = start; i < end; i++) {
                        rows.add(new VectorRecord(Integer.toString(i), "bench@1", "bench", "train", null, null, false,
                                null, data[i]));
                    }
                    store.upsert(rows);
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    /** Exact top-k by cosine (all vectors are unit length, so by dot product), in parallel over queries. */
    static int[][] exactTopK(float[][] data, float[][] queries, int k, int threads) throws Exception {
        int[][] out = new int[queries.length][];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                fs.add(pool.submit(() -> {
                    for (int q = first; q < queries.length; q += threads) {
                        PriorityQueue<double[]> heap = new PriorityQueue<>(Comparator.comparingDouble(e -> e[0]));
                        for (int i = 0; i < data.length; i++) {
                            double s = dot(queries[q], data[i]);
                            if (heap.size() < k) {
                                heap.add(new double[]{s, i});
                            } else if (s > heap.peek()[0]) {
                                heap.poll();
                                heap.add(new double[]{s, i});
                            }
                        }
                        out[q] = heap.stream().mapToInt(e -> (int) e[1]).toArray();
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        return out;
    }

    /** The exact answers of an earlier run on the same data (the data is deterministic), or null. */
    private static int[][] readTruth(Path file, int queries, int k) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        try (var in = new java.io.DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            int[][] t = new int[queries][k];
            for (int[] row : t) {
                for (int j = 0; j < k; j++) {
                    row[j] = in.readInt();
                }
            }
            return t;
        }
    }

    private static void writeTruth(Path file, int[][] truth) throws IOException {
        Files.createDirectories(file.getParent());
        try (var out = new java.io.DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(file)))) {
            for (int[] row : truth) {
                for (int id : row) {
                    out.writeInt(id);
                }
            }
        }
    }

    static double dot(float[] a, float[] b) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < a.length; i += 4) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
        }
        for (; i < a.length; i++) {
            s0 += a[i] * b[i];
        }
        return s0 + s1 + s2 + s3;
    }

    /** n unit vectors: normalise(centre + noise), noise per dimension ~ N(0, spread^2 / dim). Deterministic per seed. */
    static float[][] mixture(long seed, int n, float[][] centres, double spread, int threads) {
        float[][] out = new float[n][];
        int blocks = Math.max(1, threads * 4);
        int per = (n + blocks - 1) / blocks;
        IntStream.range(0, blocks).parallel().forEach(b -> {
            Random rnd = new Random(seed * 1_000_003L + b);
            int end = Math.min(n, (b + 1) * per);
            for (int i = b * per; i < end; i++) {
                float[] c = centres[rnd.nextInt(centres.length)];
                out[i] = gaussianUnit(rnd, 1, c.length, c, spread / Math.sqrt(c.length))[0];
            }
        });
        return out;
    }

    private static float[][] gaussianUnit(Random rnd, int count, int dim, float[] base, double sigma) {
        float[][] out = new float[count][dim];
        for (float[] v : out) {
            double norm = 0;
            for (int j = 0; j < dim; j++) {
                double x = base == null ? rnd.nextGaussian() : base[j] + sigma * rnd.nextGaussian();
                v[j] = (float) x;
                norm += x * x;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int j = 0; j < dim; j++) {
                v[j] *= inv;
            }
        }
        return out;
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * Segments of the index's last commit (counting {@code .si} files would also count merged-away segments whose
     * files an open reader still holds).
     */
    static int segments(Path dir) throws IOException {
        try (org.apache.lucene.store.Directory d = org.apache.lucene.store.FSDirectory.open(dir)) {
            return org.apache.lucene.index.SegmentInfos.readLatestCommit(d).size();
        }
    }

    private static long sizeMb(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum() >> 20;
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private AnnBenchmark() {
    }
}
