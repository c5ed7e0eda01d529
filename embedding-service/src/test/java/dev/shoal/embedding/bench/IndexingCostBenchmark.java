package dev.shoal.embedding.bench;

import dev.shoal.embedding.store.SearchQuery;
import dev.shoal.embedding.store.VectorFilter;
import dev.shoal.embedding.store.VectorRecord;
import dev.shoal.embedding.store.embedded.LuceneVectorStore;
import dev.shoal.testkit.KeyValueArgs;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What keeping the embedded HNSW index costs per vector when it is written the way the embedding pipeline writes it:
 * one thread upserting batches of {@code batch} vectors, a commit (which flushes a segment) every {@code commitEvery}
 * vectors (the pipeline commits every {@code shoal.vector-store.commit-interval}, 5 s, which at 160 frames/s is
 * about 800 vectors), Lucene's background merges on their own threads. The CPU of the whole process (the writer, the
 * merge threads, the JIT) is read per slice of {@code slice} vectors; at the end the live index (as built, not force
 * merged) is searched with {@code queries} fresh queries and recall@10 against exact search is reported, so that a
 * cheaper graph is seen with what it costs in recall.
 *
 * <pre>
 * mvn -B -q -o -pl embedding-service test-compile
 * mvn -B -q -o -pl embedding-service dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
 * java --add-modules jdk.incubator.vector -cp "$(cat embedding-service/target/bench.cp):embedding-service/target/classes:embedding-service/target/test-classes" \
 *   dev.shoal.embedding.bench.IndexingCostBenchmark n=100000 rate=600 beam=64
 * </pre>
 *
 * Arguments ({@code key=value}): n (60000), dim (384), clusters (n/100), spread (0.75), batch (32), commitEvery
 * (800), slice (10000), rate (vectors/s the writer may reach, 600; 0 = flat out), m, beam, queries (500), ef (50), dir.
 */
public final class IndexingCostBenchmark {

    public static void main(String[] args) throws Exception {
        KeyValueArgs a = new KeyValueArgs(args);
        AnnBenchmark.Data d = AnnBenchmark.Data.from(a, 60000);
        int n = d.n();
        int batch = a.integer("batch", 32);
        int commitEvery = a.integer("commitEvery", 800);
        int slice = a.integer("slice", 10000);
        int queries = a.integer("queries", 500);
        double rate = a.real("rate", 600);
        int ef = a.integer("ef", 50);
        LuceneVectorStore.Options defaults = LuceneVectorStore.Options.defaults();
        int m = a.integer("m", defaults.maxConn());
        int beam = a.integer("beam", defaults.beamWidth());
        Path dir = Path.of(a.text("dir", "target/indexing-cost"));

        System.out.printf(Locale.ROOT, "# indexing cost: n=%d dim=%d batch=%d commitEvery=%d M=%d beam=%d "
                        + "rate=%.0f/s java=%s cores=%d%n", n, d.dim(), batch, commitEvery, m, beam, rate, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        float[][] centres = d.centres();
        float[][] data = AnnBenchmark.mixture(2, n, centres, d.spread(), 2);
        float[][] qs = AnnBenchmark.mixture(3, queries, centres, d.spread(), 2);

        AnnBenchmark.deleteRecursively(dir);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        LuceneVectorStore.Options options = defaults.withGraph(m, beam).withCommitInterval(Duration.ZERO);
        try (LuceneVectorStore store = new LuceneVectorStore(dir, options)) {
            System.out.println("| vectors | process CPU ms/vector | writer thread ms/vector | other threads ms/vector | segments |");
            System.out.println("|---|---|---|---|---|");
            long writer0 = threads.getCurrentThreadCpuTime();
            long sinceCommit = 0;
            int sliceStart = 0;
            ThreadCpu.Snapshot first = ThreadCpu.take();
            ThreadCpu.Snapshot snap = first;
            List<String> split = new ArrayList<>();
            long start = System.nanoTime();
            for (int from = 0; from < n; from += batch) {
                int end = Math.min(n, from + batch);
                if (rate > 0) { // the pipeline's pace: the merges run beside a writer that is not flat out
                    long due = start + (long) (from / rate * 1e9);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                List<VectorRecord> rows = new ArrayList<>(end - from);
                for (int i = from; i < end; i++) {
                    rows.add(new VectorRecord(Integer.toString(i), "bench@1", "bench", "train", null, null, false, null,
                            data[i]));
                }
                store.upsert(rows);
                sinceCommit += end - from;
                if (sinceCommit >= commitEvery) {
                    store.commit();
                    sinceCommit = 0;
                }
                if (end - sliceStart >= slice || end == n) {
                    ThreadCpu.Snapshot now = ThreadCpu.take();
                    long writer = threads.getCurrentThreadCpuTime();
                    int count = end - sliceStart;
                    sliceStart = end;
                    double procMs = ThreadCpu.processMs(snap, now);
                    double writerMs = (writer - writer0) / 1e6;
                    System.out.printf(Locale.ROOT, "| %d | %.3f | %.3f | %.3f | %d |%n", end, procMs / count,
                            writerMs / count, (procMs - writerMs) / count, AnnBenchmark.segments(dir));
                    writer0 = writer;
                    split.add(end + ": " + ThreadCpu.report(snap, now, count, 6));
                    snap = now;
                }
            }
            store.commit();
            System.out.println("by thread (ms/vector, /proc):");
            split.forEach(line -> System.out.println("  " + line));
            System.out.printf(Locale.ROOT, "total: %.3f ms of process CPU per vector over %d vectors%n",
                    ThreadCpu.processMs(first, ThreadCpu.take()) / n, n);

            int[][] truth = AnnBenchmark.exactTopK(data, qs, 10, 2);
            store.efSearch(ef);
            VectorFilter filter = VectorFilter.of("bench", "bench@1");
            double recall = 0;
            for (int i = 0; i < qs.length; i++) {
                recall += AnnBenchmark.recall(store.search(new SearchQuery(qs[i], 10, filter)), truth[i]);
            }
            System.out.printf(Locale.ROOT, "recall@10 at ef %d over %d queries, index as built (%d segments): %.4f%n", ef,
                    qs.length, AnnBenchmark.segments(dir), recall / qs.length);
        }
        AnnBenchmark.deleteRecursively(dir);
    }
}
