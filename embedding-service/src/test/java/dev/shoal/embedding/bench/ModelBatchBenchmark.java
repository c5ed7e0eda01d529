package dev.shoal.embedding.bench;

import dev.shoal.embedding.domain.ModelRef;
import dev.shoal.embedding.service.EngineSupport;
import dev.shoal.embedding.service.TextEmbedder;
import dev.shoal.testkit.KeyValueArgs;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one model run per micro-batch buys over one run per text. With DJL's batching alone every text goes
 * through the model on its own: DJL's {@code Predictor.batchPredict} runs a translator without a {@code Batchifier}
 * once per input. all-minilm-l6-v2 on one ONNX Runtime thread embeds the same {@code texts} texts in phases that
 * alternate:
 * <ul>
 *   <li>{@code one} — one model run per text (what {@code batchPredict} does);</li>
 *   <li>{@code batch} — one run per {@code batch} consecutive texts, padded to the batch's longest
 *   (what the service does);</li>
 *   <li>{@code sorted} — the texts of each window of {@code 4 × batch} sorted by length first, then batches of
 *   {@code batch}: how much of the batch's work is padding.</li>
 * </ul>
 * Per phase: texts/s, the model threads' CPU per text, and the tokens computed per text (padding included); at the end
 * the median of each mode and of its per-rep ratio to {@code one} (when {@code one} runs). {@code streams=N} runs N
 * callers at once on the one model, as the service's model streams do; {@code modes=batch,...} picks the modes.
 *
 * <pre>
 * mvn -B -q -o -pl embedding-service test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
 * java -Xmx2g -cp "$(cat embedding-service/target/bench.cp):embedding-service/target/classes:embedding-service/target/test-classes" \
 *   dev.shoal.embedding.bench.ModelBatchBenchmark texts=2000 reps=6 batch=32 threads=1 streams=1
 * </pre>
 */
public final class ModelBatchBenchmark {

    private static final List<String> ALL_MODES = List.of("one", "batch", "sorted");

    public static void main(String[] args) throws Exception {
        KeyValueArgs a = new KeyValueArgs(args);
        int n = a.integer("texts", 2000);
        int reps = a.integer("reps", 6);
        int batch = a.integer("batch", 32);
        int threads = a.integer("threads", 1);
        int streams = a.integer("streams", 1);
        List<String> modes = List.of(a.text("modes", String.join(",", ALL_MODES)).split(","));
        List<String> texts = EmbeddingThroughputBenchmark.texts(n, EmbeddingThroughputBenchmark.roundSeed(0));
        EngineSupport.Choice engine = EngineSupport.choose("shoal.embedding.text.engine", "onnxruntime", "cpu")
                .withOrtThreads(new EngineSupport.OrtThreads(threads, 1, true));
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        try (TextEmbedder model = new TextEmbedder(new ModelRef("all-minilm-l6-v2", "1"), engine, 256)) {
            for (String mode : modes) {
                run(model, texts, mode, batch, streams, mx); // warm-up
            }
            for (int r = 0; r < reps; r++) {
                Map<String, Double> rep = new LinkedHashMap<>();
                // the order turns each rep, so a load that drifts does not always favour one mode
                for (int m = 0; m < modes.size(); m++) {
                    String mode = modes.get((m + r) % modes.size());
                    TextEmbedder.TokenCounts t0 = model.tokenCounts();
                    double[] result = run(model, texts, mode, batch, streams, mx);
                    TextEmbedder.TokenCounts t = model.tokenCounts().minus(t0);
                    System.out.printf(Locale.ROOT, "rep %d %-6s %.1f texts/s, model thread %.3f ms of CPU per text, "
                                    + "%.2f tokens per text computed (%.2f without padding)%n", r, mode, result[0], result[1],
                            t.paddedTokens() / (double) t.texts(), t.tokens() / (double) t.texts());
                    rep.put(mode, result[0]);
                    rates.computeIfAbsent(mode, k -> new ArrayList<>()).add(result[0]);
                }
                for (String mode : modes) {
                    ratios.computeIfAbsent(mode, k -> new ArrayList<>()).add(rep.containsKey("one")
                            ? rep.get(mode) / rep.get("one") : Double.NaN);
                }
            }
        }
        for (String mode : modes) {
            System.out.printf(Locale.ROOT, "RESULT %s batch=%d threads=%d streams=%d median %.1f texts/s, median ratio to one "
                            + "%.3f%n", mode, batch, threads, streams, EmbeddingThroughputBenchmark.median(rates.get(mode)),
                    EmbeddingThroughputBenchmark.median(ratios.get(mode)));
        }
    }

    /**
     * texts/s and the calling threads' CPU ms per text (a one-thread ONNX Runtime session runs on its caller), with
     * {@code streams} callers taking the next call at once, as the service's model streams do.
     */
    static double[] run(TextEmbedder model, List<String> texts, String mode, int batch, int streams,
                                ThreadMXBean mx) throws InterruptedException {
        List<List<String>> calls = calls(texts, mode, batch);
        AtomicInteger next = new AtomicInteger();
        AtomicLong cpu = new AtomicLong();
        Runnable loop = () -> {
            long cpu0 = mx.getCurrentThreadCpuTime();
            for (int i = next.getAndIncrement(); i < calls.size(); i = next.getAndIncrement()) {
                model.embedTexts(calls.get(i));
            }
            cpu.addAndGet(mx.getCurrentThreadCpuTime() - cpu0);
        };
        long t0 = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            Thread t = new Thread(loop, "model-stream-" + s);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        long t1 = System.nanoTime();
        return new double[]{texts.size() / ((t1 - t0) / 1e9), cpu.get() / 1e6 / texts.size()};
    }

    private static List<List<String>> calls(List<String> texts, String mode, int batch) {
        List<List<String>> calls = new ArrayList<>();
        switch (mode) {
            case "one" -> texts.forEach(t -> calls.add(List.of(t)));
            case "batch" -> {
                for (int i = 0; i < texts.size(); i += batch) {
                    calls.add(texts.subList(i, Math.min(texts.size(), i + batch)));
                }
            }
            case "sorted" -> {
                for (int w = 0; w < texts.size(); w += 4 * batch) {
                    List<String> window = new ArrayList<>(texts.subList(w, Math.min(texts.size(), w + 4 * batch)));
                    window.sort(Comparator.comparingInt(String::length));
                    for (int i = 0; i < window.size(); i += batch) {
                        calls.add(window.subList(i, Math.min(window.size(), i + batch)));
                    }
                }
            }
            default -> throw new IllegalArgumentException("mode " + mode);
        }
        return calls;
    }
}
