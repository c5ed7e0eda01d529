package dev.shoal.embedding.bench;

import dev.shoal.embedding.service.EmbedderRegistry;
import dev.shoal.embedding.service.TextEmbedder;
import dev.shoal.embedding.store.VectorStore;
import dev.shoal.proto.Envelopes;
import dev.shoal.proto.Topics;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.FrameUpserted;
import dev.shoal.proto.ingest.v1.Modality;
import dev.shoal.proto.ingest.v1.Split;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Benchmark, not a test: end-to-end embedding throughput (FrameUpserted on the real broker → micro-batched
 * all-MiniLM-L6-v2 → vectors in the store → EmbeddingComputed out) against the raw DJL predictor
 * ({@code batchPredict} on the same model, same batch size, same texts) in one run, alternating, medians.
 * Run it with {@code embedding-service/bench/throughput.sh} (it sets {@code -Dshoal.bench.throughput=true}).
 * Knobs: {@code -Dbench.frames} (default 2000), {@code -Dbench.rounds} (3), {@code -Dbench.warmup} (frames per
 * warm-up phase, default = frames; {@code -Dbench.warmup.raw} for the raw side alone), {@code -Dbench.jfr=<file>} (a JFR
 * profile of the last round's pipeline phase); the batch size is
 * {@code shoal.embedding.batch.max-size} (env {@code SHOAL_EMBEDDING_BATCH_MAX_SIZE}, default 32), the model streams
 * {@code shoal.embedding.batch.streams} and ONNX Runtime's threads per stream {@code shoal.embedding.onnx.intra-op-threads}
 * (one stream of one thread gives the model one core and the rest of the pipeline the others, as on a GPU node).
 * Each phase prints its start and end in seconds of JVM uptime, the clock of {@code -XX:+LogCompilation}
 * ({@code bench/jit_phases.py} places the JIT's events in the phases with them).
 */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "embedding"))
@EnabledIfSystemProperty(named = "shoal.bench.throughput", matches = "true")
class EmbeddingThroughputBenchmark {

    static final String[] SUBJECTS = {"a red car", "an acoustic guitar", "a quarterly earnings report", "a golden retriever",
            "a mountain lake at dawn", "a crowded train station", "a bowl of ramen", "a wind turbine", "a chess opening",
            "a cracked phone screen", "a traffic cone", "a hospital corridor", "a snowy forest road", "a jazz trio"};
    static final String[] CONTEXTS = {"photographed at night", "seen from above", "in heavy rain", "next to a bicycle",
            "described by a customer", "in a product catalogue", "partly hidden by a fence", "under street lights"};

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "shoal.embedding.batch.max-size")
    int batchSize;

    @ConfigProperty(name = "shoal.embedding.batch.streams")
    int streams;

    /** ONNX Runtime intra-op threads per stream; 0 = the service's default (cores / streams, one per core for one stream). */
    @ConfigProperty(name = "shoal.embedding.onnx.intra-op-threads")
    int intraOpThreads;

    @Inject
    EmbedderRegistry models;

    @Inject
    VectorStore store;

    static final int WARMUP_SEED = 998;

    static List<String> texts(int n, int seed) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int k = i + seed * 7919;
            out.add("frame " + k + ": " + SUBJECTS[k % SUBJECTS.length] + " " + CONTEXTS[(k / 3) % CONTEXTS.length]
                    + ", item number " + (k * 31 % 997));
        }
        return out;
    }

    @Test
    void pipeline_throughput_against_the_raw_predictor() throws Exception {
        int frames = Integer.getInteger("bench.frames", 2000);
        int rounds = Integer.getInteger("bench.rounds", 3);
        TextEmbedder raw = (TextEmbedder) models.get("all-minilm-l6-v2@1").embedder();

        // warm-up, the same size for both: the model, the consumer group, the store, and the JIT. JFR profiles showed
        // the C2 compiler still busy in the first pipeline round after a 64-frame warm-up, and still ~26 s of C2
        // compilations (Lucene's indexing chain and postings writer, Kafka's fetch path) in the third 2000-frame round
        // after a 256-frame one: the paths a raw loop never runs take minutes of pipeline traffic to compile.
        int warmup = Integer.getInteger("bench.warmup", frames);
        rawRate(raw, texts(Integer.getInteger("bench.warmup.raw", warmup), WARMUP_SEED), "warm-up");
        pipelineRate(warmup, WARMUP_SEED, () -> { }, () -> { });

        List<Double> rawRates = new ArrayList<>();
        List<Double> pipeRates = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            // odd rounds run the pipeline first: a load that drifts during a round does not always favour one side
            ThreadCpu.Snapshot c0 = ThreadCpu.take();
            double rr = r % 2 == 0 ? rawRate(raw, texts(frames, roundSeed(r)), "round " + (r + 1)) : Double.NaN;
            if (!Double.isNaN(rr)) {
                printCpu(r + 1, "raw", c0, frames, 12);
            }
            String jfr = System.getProperty("bench.jfr", "");
            Recording recording = null;
            if (!jfr.isBlank() && r == rounds - 1) { // profile the last pipeline phase only (not the raw one)
                recording = new Recording(Configuration.getConfiguration("profile"));
                recording.enable("jdk.Compilation").withThreshold(Duration.ZERO); // every compilation, not only slow ones
                recording.start();
            }
            var batcher = models.get("all-minilm-l6-v2@1").batcher();
            long[] counters = new long[5];
            ThreadCpu.Snapshot[] cpu = new ThreadCpu.Snapshot[1];
            List<Map<String, Double>> kafka = new ArrayList<>();
            int round = r + 1;
            // taken when the frames are sent and when the last event is read, so the event reader's set-up before the
            // phase (joining its consumer group: about a second of an idle machine) is not counted as the pipeline's
            TextEmbedder.TokenCounts[] tokens = new TextEmbedder.TokenCounts[1];
            double pr = pipelineRate(frames, roundSeed(r), () -> {
                tokens[0] = raw.tokenCounts();
                counters[0] = batcher.batches();
                counters[1] = batcher.items();
                counters[2] = batcher.busyNanos();
                counters[3] = batcher.waitNanos();
                counters[4] = System.nanoTime();
                kafka.add(KafkaClientMetrics.take("frame-upserted"));
                cpu[0] = ThreadCpu.take();
            }, () -> {
                long phase = (System.nanoTime() - counters[4]) * batcher.threads();
                printCpu(round, "pipeline", cpu[0], frames, 24);
                printTokens("round " + round + " pipeline", raw.tokenCounts().minus(tokens[0]));
                System.out.println("round " + round + " pipeline FrameUpserted consumer: "
                        + KafkaClientMetrics.report(kafka.get(0), KafkaClientMetrics.take("frame-upserted")));
                System.out.printf("round %d pipeline: model busy %.1f%% of the phase, waiting for frames %.1f%%, %.1f "
                                + "frames per model batch%n", round, 100.0 * (batcher.busyNanos() - counters[2]) / phase,
                        100.0 * (batcher.waitNanos() - counters[3]) / phase,
                        (batcher.items() - counters[1]) / (double) Math.max(1, batcher.batches() - counters[0]));
            });
            if (recording != null) {
                recording.stop();
                recording.dump(Path.of(jfr));
                recording.close();
                System.out.println("JFR recording of round " + (r + 1) + "'s pipeline phase: " + jfr);
            }
            if (Double.isNaN(rr)) {
                ThreadCpu.Snapshot c1 = ThreadCpu.take();
                rr = rawRate(raw, texts(frames, roundSeed(r)), "round " + (r + 1));
                printCpu(r + 1, "raw", c1, frames, 12);
            }
            rawRates.add(rr);
            pipeRates.add(pr);
            ratios.add(pr / rr);
            System.out.printf("round %d: raw %.1f texts/s, pipeline %.1f frames/s (%.1f%%)%n", r + 1, rr, pr, 100 * pr / rr);
        }
        double rawMedian = median(rawRates);
        double pipeMedian = median(pipeRates);
        // ratio = of the medians; round_ratio_median = the median of each round's pipeline/raw (raw and pipeline of one
        // round run back to back, so it is less exposed to the load of a shared machine changing between rounds)
        System.out.printf("RESULT frames=%d batch=%d streams=%d intra_op=%s rounds=%d raw_median=%.1f/s pipeline_median=%.1f/s "
                        + "ratio=%.1f%% round_ratio_median=%.1f%% cores=%d%n", frames, batchSize, streams,
                intraOpThreads > 0 ? Integer.toString(intraOpThreads) : "default", rounds, rawMedian, pipeMedian,
                100 * pipeMedian / rawMedian, 100 * median(ratios), Runtime.getRuntime().availableProcessors());
    }

    /**
     * The raw predictor as the pipeline drives it: batches of {@code batchSize}, {@code streams} of them at once (one
     * loop per stream, each taking the next batch), on the same loaded model.
     */
    private double rawRate(TextEmbedder raw, List<String> texts, String label) throws Exception {
        TextEmbedder.TokenCounts tokens = raw.tokenCounts();
        AtomicInteger next = new AtomicInteger();
        Runnable loop = () -> {
            for (int i = next.getAndAdd(batchSize); i < texts.size(); i = next.getAndAdd(batchSize)) {
                raw.embedTexts(texts.subList(i, Math.min(texts.size(), i + batchSize)));
            }
        };
        long t0 = System.nanoTime();
        long up0 = uptimeMillis();
        if (streams == 1) {
            loop.run();
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(streams);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int s = 0; s < streams; s++) {
                    done.add(pool.submit(loop));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        printPhase("raw", texts.size(), up0);
        printTokens(label + " raw", raw.tokenCounts().minus(tokens));
        return texts.size() / seconds;
    }

    /** Frames/s of {@code n} frames sent at once; {@code atStart} runs as they are sent, {@code atEnd} after the last event. */
    private double pipelineRate(int n, int seed, Runnable atStart, Runnable atEnd) throws Exception {
        String dataset = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> texts = texts(n, seed);
        Set<String> pending = new HashSet<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"), new StringDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 5),
                     new StringSerializer(), new ByteArraySerializer())) {
            consumer.subscribe(List.of(Topics.EMBEDDING_COMPUTED));
            while (consumer.assignment().isEmpty()) {
                consumer.poll(Duration.ofMillis(100));
            }
            consumer.seekToEnd(consumer.assignment());
            consumer.assignment().forEach(consumer::position);
            List<ProducerRecord<String, byte[]>> records = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String frameId = dataset + "-" + i;
                pending.add(frameId);
                String uri = "data:text/plain;base64," + Base64.getEncoder().encodeToString(texts.get(i).getBytes(StandardCharsets.UTF_8));
                records.add(new ProducerRecord<>(Topics.FRAME_UPSERTED, frameId, FrameUpserted.newBuilder()
                        .setEnvelope(Envelopes.create("bench", dataset, frameId, null))
                        .setFrame(Frame.newBuilder().setId(frameId).setDatasetId(dataset).addUris(uri)
                                .setModality(Modality.MODALITY_TEXT).setSplit(Split.SPLIT_UNLABELED))
                        .build().toByteArray()));
            }
            atStart.run();
            long t0 = System.nanoTime();
            long up0 = uptimeMillis();
            for (ProducerRecord<String, byte[]> r : records) {
                producer.send(r);
            }
            producer.flush();
            // 10 minutes, or 50 frames/s for long warm-ups (80,000 frames took over 10 minutes at ~130 frames/s)
            Duration limit = Duration.ofSeconds(Math.max(600, n / 50));
            long deadline = System.nanoTime() + limit.toNanos();
            while (!pending.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    pending.remove(r.key());
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            printPhase("pipeline", n, up0);
            atEnd.run();
            if (!pending.isEmpty()) {
                throw new IllegalStateException(pending.size() + " of " + n + " frames not embedded within " + limit);
            }
            long stored = store.count(dataset, "all-minilm-l6-v2@1");
            if (stored != n) {
                throw new IllegalStateException("store holds " + stored + " vectors of " + dataset + ", expected " + n);
            }
            return n / seconds;
        }
    }

    /** The phase's CPU per thread group, and which threads waited longest for a core (the model's, beside the rest?). */
    private static void printCpu(int round, String phase, ThreadCpu.Snapshot before, int frames, int top) {
        ThreadCpu.Snapshot after = ThreadCpu.take();
        System.out.println("round " + round + " " + phase + " cpu: " + ThreadCpu.report(before, after, frames, top));
        System.out.println("round " + round + " " + phase + " waiting for a core (ms/item): "
                + ThreadCpu.runQueueReport(before, after, frames, 6));
    }

    /**
     * Round {@code r}'s texts, the same for its raw and its pipeline phase. The model's work per text grows with its
     * tokens (and, in a batch, with the tokens of the batch's longest text), and the numbers in the texts grow with the
     * seed: raw phases on seeds 0-4 and pipeline phases on 100-104 would give the pipeline 5-9 % more tokens per
     * text.
     */
    static int roundSeed(int r) {
        return 100 + r;
    }

    /**
     * The tokens the model was given in a phase: per text, as tokenised and as computed (each batch padded to its
     * longest text). Raw and pipeline phases of a round compare fairly only when these match.
     */
    static void printTokens(String phase, TextEmbedder.TokenCounts t) {
        double texts = Math.max(1, t.texts());
        System.out.printf("%s tokens per text: %.2f, padded %.2f (%d texts)%n", phase, t.tokens() / texts,
                t.paddedTokens() / texts, t.texts());
    }

    static long uptimeMillis() {
        return ManagementFactory.getRuntimeMXBean().getUptime();
    }

    /**
     * One line per phase with its start and end in seconds of JVM uptime: the clock of the JIT's logs
     * ({@code -XX:+LogCompilation} stamps, {@code -Xlog} uptime decorations), so their events can be placed in phases.
     */
    static void printPhase(String kind, int items, long startUptimeMillis) {
        System.out.printf("phase %s %d: uptime %.3f-%.3f s%n", kind, items, startUptimeMillis / 1e3, uptimeMillis() / 1e3);
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(Double::compare);
        int m = s.size() / 2;
        return s.size() % 2 == 1 ? s.get(m) : (s.get(m - 1) + s.get(m)) / 2;
    }
}
