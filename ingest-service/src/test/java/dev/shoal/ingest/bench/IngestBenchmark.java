package dev.shoal.ingest.bench;

import dev.shoal.proto.Topics;
import dev.shoal.proto.ingest.v1.ClassLabel;
import dev.shoal.proto.ingest.v1.ClassProbabilities;
import dev.shoal.proto.ingest.v1.ClassProbability;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.Inference;
import dev.shoal.proto.ingest.v1.IngestRequest;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.ingest.v1.Split;
import dev.shoal.proto.ingest.v1.UpsertFramesRequest;
import dev.shoal.proto.ingest.v1.UpsertInferencesRequest;
import dev.shoal.proto.ingest.v1.UpsertLabelsRequest;
import dev.shoal.testkit.KeyValueArgs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ingest throughput against a running ingest-service ({@code ./shoal up}): N frames, each with one label and one
 * inference, through (a) the batch REST API (proto3-JSON bodies) and (b) the Kafka topic shoal.ingest.requests.v1
 * (binary protobuf). A frame counts as ingested when its frame, label and inference are stored and their three
 * events published (the REST call returns after both; for Kafka the benchmark reads the events back).
 *
 * <p>Run: see BENCHMARKS.md. Arguments: {@code frames=100000 batch=2000 clients=4 http=http://127.0.0.1:8081
 * kafka=127.0.0.1:9092 paths=rest,kafka compression=lz4} (the request records' compression; default from
 * SHOAL_BENCH_REQUEST_COMPRESSION, else lz4) {@code warmup=0 warmupRounds=1 sync=<dir>} {@code readback=after}
 * (SHOAL_BENCH_READBACK) {@code spread=key} (SHOAL_BENCH_SPREAD: {@code key}, Kafka's partitioner on each batch's
 * key; {@code even}, batch b to partition b mod P).
 *
 * <p>{@code warmup=W}: per path, first ingests W frames into a separate warm-up dataset in this same JVM, so that the
 * measured run's client code is JIT-compiled too. {@code warmupRounds=R} (default 1) splits those W frames into R
 * rounds, each on a dataset of its own and each started like the measured run (create the dataset, build the
 * requests, send): the servers then meet that transition during the warm-up too, and do not deoptimize and
 * recompile their hot paths for it inside the measured window (docs/benchmarks/ingest.md).
 * {@code sync=<dir>}: the measured run's window is bracketed by a handshake with the calling script
 * (bench/throughput.sh), which reads the server side's CPU from /proc at exactly those points: before the window
 * the client writes {@code <dir>/<path>.start} (holding its pid) and waits for {@code <dir>/<path>.start.ack};
 * after the last event it writes {@code <dir>/<path>.end} and waits for {@code <dir>/<path>.end.ack}. Kafka path:
 * every request's bytes are built before the window, so the window (first send to last event) holds only sending
 * and reading the events back.
 */
public final class IngestBenchmark {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    public static void main(String[] args) throws Exception {
        KeyValueArgs a = new KeyValueArgs(args).only("frames", "batch", "clients", "http", "kafka", "paths",
                "compression", "readback", "spread", "warmup", "warmupRounds", "sync");
        int frames = a.integer("frames", 100000);
        int batch = a.integer("batch", 2000);
        int clients = a.integer("clients", 4);
        String http = a.text("http", "http://127.0.0.1:8081");
        String kafka = a.text("kafka", "127.0.0.1:9092");
        String compression = a.text("compression", System.getenv().getOrDefault("SHOAL_BENCH_REQUEST_COMPRESSION", "lz4"));
        int warmup = a.integer("warmup", 0);
        int warmupRounds = Math.max(1, a.integer("warmupRounds", 1));
        java.nio.file.Path sync = a.has("sync") ? java.nio.file.Path.of(a.text("sync", null)) : null;
        String readback = a.text("readback", System.getenv().getOrDefault("SHOAL_BENCH_READBACK", "after"));
        String spread = a.text("spread", System.getenv().getOrDefault("SHOAL_BENCH_SPREAD", "key"));
        // Kafka path: the events read back and checked after the measured window (its end: the event topics' end
        // offsets grew by 3 x frames) or during it (the reader then on the servers' cores, in the window)
        boolean readBackAfter = switch (readback) {
            case "after" -> true;
            case "during" -> false;
            default -> throw new IllegalArgumentException("readback must be 'after' or 'during', was " + readback);
        };
        // Kafka path: which partition a batch's three requests go to. "key": Kafka's default partitioner on the
        // batch's key (murmur2), so the 50 batches of a 100k run fall unevenly on the partitions, differently in every
        // run (the dataset id is in the key); "even": batch b to partition b mod P, with the same key
        boolean spreadEven = switch (spread) {
            case "key" -> false;
            case "even" -> true;
            default -> throw new IllegalArgumentException("spread must be 'key' or 'even', was " + spread);
        };
        System.out.printf("ingest benchmark: %d frames (+1 label +1 inference each), batches of %d, %d client threads, %d cores%n",
                frames, batch, clients, Runtime.getRuntime().availableProcessors());
        for (String path : a.text("paths", "rest,kafka").split(",")) {
            if (!path.equals("rest") && !path.equals("kafka")) {
                throw new IllegalArgumentException("unknown path " + path);
            }
            for (int r = 0; warmup > 0 && r < warmupRounds; r++) { // each round a dataset of its own ("-w" cannot occur in a measured dataset's hex suffix)
                int n = r < warmupRounds - 1 ? warmup / warmupRounds : warmup - (warmupRounds - 1) * (warmup / warmupRounds);
                String wds = "bench-" + path + "-w" + Long.toHexString(System.nanoTime());
                createDataset(http, wds);
                String prefix = warmupRounds == 1 ? "warm-up: " : "warm-up " + (r + 1) + "/" + warmupRounds + ": ";
                run(path, http, kafka, wds, n, batch, clients, compression, readBackAfter, spreadEven,
                        new Window(null, path, n, prefix));
            }
            String ds = "bench-" + path + "-" + Long.toHexString(System.nanoTime());
            createDataset(http, ds);
            run(path, http, kafka, ds, frames, batch, clients, compression, readBackAfter, spreadEven,
                    new Window(sync, path, frames, ""));
        }
    }

    static void run(String path, String http, String kafka, String ds, int frames, int batch, int clients,
                    String compression, boolean readBackAfter, boolean spreadEven, Window window) throws Exception {
        if (path.equals("rest")) {
            rest(http, kafka, ds, frames, batch, clients, window);
        } else {
            kafka(kafka, ds, frames, batch, compression, readBackAfter, spreadEven, window);
        }
    }

    /** CPU seconds (user + system) this JVM has used so far. */
    static double processCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    /**
     * One run's measured window: the handshake with the calling script at its start and end (when {@code sync} is
     * set), and this client's own CPU within it.
     */
    static final class Window {
        final java.nio.file.Path sync;
        final String path;
        final int frames;
        final String prefix;
        double cpuStart;
        double cpuEnd;

        Window(java.nio.file.Path sync, String path, int frames, String prefix) {
            this.sync = sync;
            this.path = path;
            this.frames = frames;
            this.prefix = prefix;
        }

        void start() {
            handshake(path + ".start");
            cpuStart = processCpuSeconds();
        }

        void end() {
            cpuEnd = processCpuSeconds();
            handshake(path + ".end");
        }

        private void handshake(String name) {
            if (sync == null) {
                return;
            }
            try {
                java.nio.file.Files.writeString(sync.resolve(name + ".tmp"), Long.toString(ProcessHandle.current().pid()));
                java.nio.file.Files.move(sync.resolve(name + ".tmp"), sync.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                java.nio.file.Path ack = sync.resolve(name + ".ack");
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (!java.nio.file.Files.exists(ack)) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("no " + ack + " from the calling script within 2 minutes");
                    }
                    Thread.sleep(5);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** This client's CPU in the window, and (Kafka path) in building the requests before it. */
        void reportCpu(String what, double buildSeconds) {
            double s = cpuEnd - cpuStart;
            System.out.printf("%sclient CPU (this JVM), %s: %.1f s = %.1f us/frame in the measured window%s%n", prefix, what, s,
                    s / frames * 1e6, Double.isNaN(buildSeconds) ? ""
                            : String.format("; building the requests before it: %.1f s = %.1f us/frame", buildSeconds, buildSeconds / frames * 1e6));
        }
    }

    // ------------------------------------------------------------------ REST

    static void rest(String http, String kafka, String ds, int frames, int batch, int clients, Window window) throws Exception {
        int batches = (frames + batch - 1) / batch;
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        try (EventCounter events = new EventCounter(kafka, ds, frames)) {
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            AtomicLong next = new AtomicLong();
            window.start();
            long t0 = System.nanoTime();
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(() -> {
                    for (long b; (b = next.getAndIncrement()) < batches; ) {
                        int from = (int) b * batch;
                        int to = Math.min(frames, from + batch);
                        latencies.add(post(http + "/v1/frames", framesJson(ds, from, to)));
                        latencies.add(post(http + "/v1/labels", labelsJson(ds, from, to)));
                        latencies.add(post(http + "/v1/inferences", inferencesJson(ds, from, to)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            pool.shutdown();
            long[] seen = events.awaitAll(frames, Duration.ofSeconds(120));
            window.end();
            report(window.prefix + "REST (JSON)", frames, seconds, latencies, "per HTTP batch call", seen);
            window.reportCpu("REST (building the JSON bodies, posting, reading back and checking the events)", Double.NaN);
        }
    }

    static long post(String url, String body) {
        long t = System.nanoTime();
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200 || !r.body().contains("\"errors\": []")) {
                throw new IllegalStateException(url + " -> " + r.statusCode() + " " + r.body().substring(0, Math.min(400, r.body().length())));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return System.nanoTime() - t;
    }

    static String framesJson(String ds, int from, int to) {
        StringBuilder sb = new StringBuilder(120 * (to - from)).append("{\"frames\":[");
        for (int i = from; i < to; i++) {
            sb.append(i == from ? "" : ",").append("{\"dataset_id\":\"").append(ds).append("\",\"id\":\"f").append(i)
                    .append("\",\"uris\":[\"file:///data/img/").append(i).append(".jpg\"],\"split\":\"SPLIT_TRAIN\",\"width\":640,\"height\":480,")
                    .append("\"metadata\":{\"camera\":\"cam-").append(i % 7).append("\"}}");
        }
        return sb.append("]}").toString();
    }

    static String labelsJson(String ds, int from, int to) {
        StringBuilder sb = new StringBuilder(150 * (to - from)).append("{\"labels\":[");
        for (int i = from; i < to; i++) {
            sb.append(i == from ? "" : ",").append("{\"dataset_id\":\"").append(ds).append("\",\"frame_id\":\"f").append(i)
                    .append("\",\"labeler_id\":\"ann-").append(i % 13).append("\",\"label_set\":\"v1\",\"classification\":{\"class_name\":\"")
                    .append(CLASSES[i % CLASSES.length]).append("\"}}");
        }
        return sb.append("]}").toString();
    }

    static String inferencesJson(String ds, int from, int to) {
        StringBuilder sb = new StringBuilder(300 * (to - from)).append("{\"inferences\":[");
        for (int i = from; i < to; i++) {
            sb.append(i == from ? "" : ",").append("{\"dataset_id\":\"").append(ds).append("\",\"frame_id\":\"f").append(i)
                    .append("\",\"model_id\":\"resnet\",\"model_version\":\"1\",\"classification\":{\"scores\":[");
            float[] p = probs(i);
            for (int c = 0; c < CLASSES.length; c++) {
                sb.append(c == 0 ? "" : ",").append("{\"class_name\":\"").append(CLASSES[c]).append("\",\"probability\":").append(p[c]).append('}');
            }
            sb.append("]}}");
        }
        return sb.append("]}").toString();
    }

    static final String[] CLASSES = {"cone", "pole", "sign", "car"};

    static float[] probs(int i) {
        float[] p = {0.1f, 0.1f, 0.1f, 0.1f};
        p[i % 4] = 0.7f;
        return p;
    }

    // ------------------------------------------------------------------ Kafka

    /**
     * {@code compression}: of the request records, as a training system's producer would set it (lz4 by default).
     * Every request's bytes are built first; the window (first send to last event) holds only sending and reading
     * the events back.
     */
    static void kafka(String kafka, String ds, int frames, int batch, String compression, boolean readBackAfter,
                      boolean spreadEven, Window window) throws Exception {
        int batches = (frames + batch - 1) / batch;
        long[] sent = new long[batches];
        double cpu0 = processCpuSeconds();
        String[] keys = new String[batches];
        byte[][] requests = new byte[3 * batches][];
        for (int b = 0; b < batches; b++) {
            int from = b * batch;
            int to = Math.min(frames, from + batch);
            String key = ds + "/" + b; // one batch's requests share a partition, so frames come before their labels
            keys[b] = key;
            buildRequests(ds, from, to, key, requests, 3 * b);
        }
        double buildSeconds = processCpuSeconds() - cpu0;
        try (EventCounter events = new EventCounter(kafka, ds, frames);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka, ProducerConfig.LINGER_MS_CONFIG, 5,
                     ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024, ProducerConfig.COMPRESSION_TYPE_CONFIG, compression),
                     new StringSerializer(), new ByteArraySerializer())) {
            // connect and fetch the topic's metadata before the window
            int partitions = producer.partitionsFor(Topics.INGEST_REQUESTS).size();
            // sent to an explicit partition either way, so the counts printed are where the requests went; "key" is
            // the partition the producer's own partitioner gives the key (BuiltInPartitioner)
            int[] partitionOf = new int[batches];
            int[] perPartition = new int[partitions];
            for (int b = 0; b < batches; b++) {
                partitionOf[b] = spreadEven ? b % partitions
                        : BuiltInPartitioner.partitionForKey(keys[b].getBytes(StandardCharsets.UTF_8), partitions);
                perPartition[partitionOf[b]]++;
            }
            System.out.println(window.prefix + "Kafka requests: batches per partition of " + Topics.INGEST_REQUESTS + " "
                    + Arrays.toString(perPartition) + " (spread=" + (spreadEven ? "even" : "key") + ")");
            window.start();
            long startMillis = System.currentTimeMillis();
            for (int b = 0; b < batches; b++) {
                sent[b] = System.currentTimeMillis();
                for (int k = 0; k < 3; k++) {
                    producer.send(new ProducerRecord<>(Topics.INGEST_REQUESTS, partitionOf[b], keys[b], requests[3 * b + k]));
                }
            }
            producer.flush();
            long[] seen;
            if (readBackAfter) {
                events.awaitAppended(3L * frames, Duration.ofMinutes(10));
                window.end();
                seen = events.awaitAll(frames, Duration.ofMinutes(2)); // every event read and checked, after the window
            } else {
                seen = events.awaitAll(frames, Duration.ofMinutes(10));
                window.end();
            }
            double seconds = (events.lastEventMillis() - startMillis) / 1000.0;
            List<Long> latencies = new ArrayList<>();
            for (int b = 0; b < batches; b++) {
                long done = events.batchDone(b, batch);
                if (done != 0) {
                    latencies.add((done - sent[b]) * 1_000_000L);
                }
            }
            report(window.prefix + "Kafka (binary protobuf, " + compression + ")", frames, seconds, latencies,
                    "per batch, request sent -> its last event published", seen);
            window.reportCpu(readBackAfter ? "Kafka (sending, then watching the event topics' end offsets)"
                    : "Kafka (sending, reading back and checking the events)", buildSeconds);
        }
    }

    /** The frames, labels and inferences requests of frames [from, to) as bytes, into out[at], out[at + 1], out[at + 2]. */
    static void buildRequests(String ds, int from, int to, String key, byte[][] out, int at) {
        UpsertFramesRequest.Builder f = UpsertFramesRequest.newBuilder();
        UpsertLabelsRequest.Builder l = UpsertLabelsRequest.newBuilder();
        UpsertInferencesRequest.Builder x = UpsertInferencesRequest.newBuilder();
        for (int i = from; i < to; i++) {
            String id = "f" + i;
            f.addFrames(Frame.newBuilder().setDatasetId(ds).setId(id).addUris("file:///data/img/" + i + ".jpg")
                    .setSplit(Split.SPLIT_TRAIN).setWidth(640).setHeight(480).putMetadata("camera", "cam-" + (i % 7)));
            l.addLabels(Label.newBuilder().setDatasetId(ds).setFrameId(id).setLabelerId("ann-" + (i % 13)).setLabelSet("v1")
                    .setClassification(ClassLabel.newBuilder().setClassName(CLASSES[i % CLASSES.length])));
            ClassProbabilities.Builder p = ClassProbabilities.newBuilder();
            float[] pr = probs(i);
            for (int c = 0; c < CLASSES.length; c++) {
                p.addScores(ClassProbability.newBuilder().setClassName(CLASSES[c]).setProbability(pr[c]));
            }
            x.addInferences(Inference.newBuilder().setDatasetId(ds).setFrameId(id).setModelId("resnet").setModelVersion("1").setClassification(p));
        }
        out[at] = IngestRequest.newBuilder().setRequestId(key + "/f").setUpsertFrames(f).build().toByteArray();
        out[at + 1] = IngestRequest.newBuilder().setRequestId(key + "/l").setUpsertLabels(l).build().toByteArray();
        out[at + 2] = IngestRequest.newBuilder().setRequestId(key + "/i").setUpsertInferences(x).build().toByteArray();
    }

    // ------------------------------------------------------------------ reading the events back

    /**
     * Counts the frame, label and inference events of one dataset (frame ids are the record keys: f<i>, i < frames).
     * An event belongs to the dataset when its payload holds the dataset id as a whole protobuf string field: the
     * length byte followed by the id's bytes (matched on the raw bytes, nothing decoded).
     */
    static final class EventCounter implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final byte[] datasetField;
        private final int frames;
        private final long[] counts = new long[3];
        /** per frame index, the latest timestamp of its events (0: none yet) */
        private final long[] lastByFrame;
        /** each event partition's end offset before anything was sent */
        private final Map<TopicPartition, Long> start = new java.util.HashMap<>();
        private long last;

        EventCounter(String kafka, String ds, int frames) {
            byte[] id = ds.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (id.length > 127) {
                throw new IllegalArgumentException("dataset id longer than 127 bytes: " + ds);
            }
            datasetField = new byte[id.length + 1];
            datasetField[0] = (byte) id.length; // a one-byte varint length prefix
            System.arraycopy(id, 0, datasetField, 1, id.length);
            this.frames = frames;
            lastByFrame = new long[frames];
            consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
                    ConsumerConfig.GROUP_ID_CONFIG, "bench-" + ds, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10000),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            // the topics may not exist yet on a fresh broker: create them so that nothing is missed
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
                for (String t : List.of(Topics.FRAME_UPSERTED, Topics.LABEL_UPSERTED, Topics.INFERENCE_UPSERTED)) {
                    try {
                        admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(t, 4, (short) 1))).all().get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                            throw new IllegalStateException(e);
                        }
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : List.of(Topics.FRAME_UPSERTED, Topics.LABEL_UPSERTED, Topics.INFERENCE_UPSERTED)) {
                // on a fresh broker the metadata of a just-created topic can list fewer partitions for a moment: a
                // partition left out here would never be read, and the run would wait for its events until the timeout
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                List<org.apache.kafka.common.PartitionInfo> infos = consumer.partitionsFor(t, Duration.ofSeconds(30));
                while (infos.size() < 4 && System.nanoTime() < deadline) {
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    infos = consumer.partitionsFor(t, Duration.ofSeconds(30));
                }
                infos.forEach(p -> parts.add(new TopicPartition(t, p.partition())));
            }
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            for (TopicPartition tp : parts) { // materialise the end offsets now, before anything is sent
                start.put(tp, consumer.position(tp));
            }
        }

        /**
         * Waits until the event topics hold {@code records} more records than when this counter was made, asking
         * the broker for their end offsets every 20 ms (nothing is fetched). Which of them belong to this run is
         * checked afterwards by {@link #awaitAll}, which reads from the same start offsets.
         */
        void awaitAppended(long records, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long appended = 0;
                for (Map.Entry<TopicPartition, Long> e : consumer.endOffsets(start.keySet()).entrySet()) {
                    appended += e.getValue() - start.get(e.getKey());
                }
                if (appended >= records) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + appended + " of " + records + " events appended within " + timeout);
                }
                Thread.sleep(20);
            }
        }

        long[] awaitAll(int frames, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline && (counts[0] < frames || counts[1] < frames || counts[2] < frames)) {
                org.apache.kafka.clients.consumer.ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(200));
                for (TopicPartition tp : polled.partitions()) {
                    String t = tp.topic();
                    int kind = t.equals(Topics.FRAME_UPSERTED) ? 0 : t.equals(Topics.LABEL_UPSERTED) ? 1 : 2;
                    for (ConsumerRecord<byte[], byte[]> r : polled.records(tp)) {
                        // every event of this run's dataset; keys are frame ids, which other datasets share, so check the payload's dataset
                        if (!contains(r.value(), datasetField)) {
                            continue;
                        }
                        counts[kind]++;
                        int frame = frameIndex(r.key());
                        long ts = r.timestamp();
                        if (ts > lastByFrame[frame]) {
                            lastByFrame[frame] = ts;
                        }
                        if (ts > last) {
                            last = ts;
                        }
                    }
                }
            }
            return counts.clone();
        }

        /** i of a key "f<i>" with 0 <= i < frames; anything else fails the run, as parsing it did before. */
        private int frameIndex(byte[] key) {
            if (key == null || key.length < 2 || key.length > 11 || key[0] != 'f') {
                throw new IllegalStateException("event of this dataset with an unexpected key: "
                        + (key == null ? "null" : new String(key, java.nio.charset.StandardCharsets.UTF_8)));
            }
            long v = 0;
            for (int i = 1; i < key.length; i++) {
                int d = key[i] - '0';
                if (d < 0 || d > 9) {
                    throw new IllegalStateException("event of this dataset with an unexpected key: " + new String(key, java.nio.charset.StandardCharsets.UTF_8));
                }
                v = v * 10 + d;
            }
            if (v >= frames) {
                throw new IllegalStateException("event of this dataset for frame f" + v + ", beyond the " + frames + " sent");
            }
            return (int) v;
        }

        /** Whether {@code pattern} occurs in {@code data}. */
        static boolean contains(byte[] data, byte[] pattern) {
            if (data == null) {
                return false;
            }
            byte first = pattern[0];
            int max = data.length - pattern.length;
            outer:
            for (int i = 0; i <= max; i++) {
                if (data[i] != first) {
                    continue;
                }
                for (int j = 1; j < pattern.length; j++) {
                    if (data[i + j] != pattern[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }

        /** The latest event timestamp of batch b's frames, 0 when none of its events arrived. */
        long batchDone(int b, int batch) {
            long done = 0;
            for (int i = b * batch; i < Math.min(frames, (b + 1) * batch); i++) {
                done = Math.max(done, lastByFrame[i]);
            }
            return done;
        }

        long lastEventMillis() {
            return last;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    // ------------------------------------------------------------------ output

    static void report(String path, int frames, double seconds, List<Long> latenciesNanos, String latencyWhat, long[] events) {
        long[] sorted = latenciesNanos.stream().mapToLong(Long::longValue).sorted().toArray();
        double p50 = sorted.length == 0 ? Double.NaN : sorted[(int) Math.floor(0.50 * (sorted.length - 1))] / 1e6;
        double p99 = sorted.length == 0 ? Double.NaN : sorted[(int) Math.floor(0.99 * (sorted.length - 1))] / 1e6;
        System.out.printf("%-26s %,d frames in %.1f s = %,.0f frames/s (x3 rows, x3 events); latency %s: p50 %.0f ms, p99 %.0f ms; "
                        + "events seen: frames %d, labels %d, inferences %d%n",
                path, frames, seconds, frames / seconds, latencyWhat, p50, p99, events[0], events[1], events[2]);
        long missing = Math.max(0, frames - events[0]) + Math.max(0, frames - events[1]) + Math.max(0, frames - events[2]);
        if (missing > 0) {
            System.out.printf("%-26s MISSING %d of %d events (frames %d, labels %d, inferences %d): the rate above is not valid%n",
                    path, missing, 3L * frames, frames - events[0], frames - events[1], frames - events[2]);
        }
    }

    static void createDataset(String http, String ds) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(http + "/v1/datasets"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + ds + "\",\"modality\":\"MODALITY_IMAGE\",\"class_names\":[\"cone\",\"pole\",\"sign\",\"car\"]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("create dataset: " + r.statusCode() + " " + r.body());
        }
    }
}
