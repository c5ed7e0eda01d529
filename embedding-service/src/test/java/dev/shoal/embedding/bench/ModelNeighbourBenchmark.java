package dev.shoal.embedding.bench;

import dev.shoal.embedding.domain.ModelRef;
import dev.shoal.embedding.service.EngineSupport;
import dev.shoal.embedding.service.TextEmbedder;
import dev.shoal.testkit.KeyValueArgs;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Does the text model run slower when another core is busy? all-minilm-l6-v2 on one ONNX Runtime thread embeds
 * {@code texts} texts in batches of {@code batch}, in phases that alternate: alone; beside a thread doing integer
 * arithmetic only (no memory traffic); beside a thread reading random longs of a 512 MB array (memory traffic, as
 * the HNSW graph's and Kafka's work makes). Per phase it prints texts/s and the model thread's CPU per text. This
 * is the question the embedding benchmark's one-stream-of-one-thread runs left open: there the model thread took
 * 6–27 % more CPU per frame beside the pipeline than alone (docs/benchmarks/embedding-throughput.md).
 *
 * <pre>
 * mvn -B -q -o -pl embedding-service test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
 * java -Xmx2g -cp "$(cat embedding-service/target/bench.cp):embedding-service/target/classes:embedding-service/target/test-classes" \
 *   dev.shoal.embedding.bench.ModelNeighbourBenchmark texts=2000 reps=6
 * </pre>
 */
public final class ModelNeighbourBenchmark {

    private static volatile boolean stop;
    private static volatile long sink;

    public static void main(String[] args) throws Exception {
        KeyValueArgs a = new KeyValueArgs(args);
        int n = a.integer("texts", 2000);
        int reps = a.integer("reps", 6);
        int batch = a.integer("batch", 32);
        List<String> texts = EmbeddingThroughputBenchmark.texts(n, 1);
        long[] memory = new long[64 << 20]; // 512 MB, far beyond the caches
        for (int i = 0; i < memory.length; i += 512) {
            memory[i] = i;
        }
        EngineSupport.Choice oneThread = EngineSupport.choose("shoal.embedding.text.engine", "onnxruntime", "cpu")
                .withOrtThreads(new EngineSupport.OrtThreads(1, 1, true));
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (TextEmbedder model = new TextEmbedder(new ModelRef("all-minilm-l6-v2", "1"), oneThread, 256)) {
            ModelBatchBenchmark.run(model, texts, "batch", batch, 1, mx); // warm-up
            for (int r = 0; r < reps; r++) {
                for (String neighbour : List.of("alone", "alu", "memory")) {
                    stop = false;
                    Thread t = neighbour.equals("alone") ? null : new Thread(neighbour.equals("alu")
                            ? ModelNeighbourBenchmark::arithmetic : () -> randomReads(memory), "neighbour");
                    if (t != null) {
                        t.start();
                    }
                    double[] result = ModelBatchBenchmark.run(model, texts, "batch", batch, 1, mx);
                    stop = true;
                    if (t != null) {
                        t.join();
                    }
                    System.out.printf(Locale.ROOT, "rep %d %-6s %.1f texts/s, model thread %.3f ms of CPU per text%n",
                            r, neighbour, result[0], result[1]);
                }
            }
        }
    }

    private static void arithmetic() {
        long x = 1;
        long acc = 0;
        while (!stop) {
            for (int i = 0; i < 100_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
                acc ^= x >>> 7;
            }
        }
        sink = acc;
    }

    private static void randomReads(long[] memory) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long acc = 0;
        while (!stop) {
            for (int i = 0; i < 1000; i++) {
                acc += memory[random.nextInt(memory.length)];
            }
        }
        sink = acc;
    }
}
