package dev.shoal.testkit;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonStreamParser;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.shoal.proto.CloudEventHeaders;
import dev.shoal.proto.Envelopes;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code ./shoal topics}: Shoal's Kafka topics for a person. Lists the topics with their record counts and dead
 * letters, prints a topic's records as JSON lines (payloads decoded by their {@code ce_type}, see {@link RecordJson}),
 * and publishes JSON documents as records, validated against the topic's message type first.
 *
 * <p>Reads with an assigned (group-less) consumer: it commits nothing and never joins or disturbs a service's group.
 */
public final class TopicsMain {

    static final String USAGE = """
            usage: ./shoal topics list
                   ./shoal topics tail <topic> [--from-beginning] [--max N] [--timeout S] [--key K]
                   ./shoal topics dlq <topic> [--follow] [--max N] [--timeout S] [--key K]
                   ./shoal topics produce <topic> [--key K] < records.json
              list     every topic: partitions, end offsets, records, and the records in its <topic>.dlq
              tail     one JSON object per record; follows new records until Ctrl-C, --max N records,
                       or --timeout S seconds without one; --key K prints only the records with key K
              dlq      the dead letters of <topic> (tail of <topic>.dlq from the beginning, with the
                       dead-letter-reason header); stops at the end unless --follow
              produce  one JSON document, or several (JSON lines), per record, as <topic>'s message type
                       (proto3-JSON, .proto field names); all are checked before any is sent
              every command takes --bootstrap host:port (default: the broker of ./shoal up)
            """;

    /** How long a call to the broker may take before the tool says it cannot reach it. */
    static final Duration BROKER_WAIT = Duration.ofSeconds(10);
    static final String SOURCE = "shoal-topics";
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private final String bootstrap;
    private final PrintStream out;
    private final PrintStream err;

    private TopicsMain(String bootstrap, PrintStream out, PrintStream err) {
        this.bootstrap = bootstrap;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        InfraMain.logLevels(java.util.logging.Level.WARNING, java.util.logging.Level.SEVERE);
        System.exit(run(args, System.in, System.out, System.err, System.getenv("KAFKA_BOOTSTRAP_SERVERS")));
    }

    /** A refused command line or input: the message says what is wrong; exit status 2 (usage) or 1. */
    static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /**
     * Runs one command. {@code defaultBootstrap} is the broker when there is no {@code --bootstrap}.
     *
     * @return the exit status: 0 done, 1 failed (the reason on {@code err}), 2 a wrong command line
     */
    static int run(String[] args, InputStream in, PrintStream out, PrintStream err, String defaultBootstrap) {
        try {
            if (args.length == 0 || Set.of("-h", "--help", "help").contains(args[0])) {
                (args.length == 0 ? err : out).print(USAGE);
                return args.length == 0 ? 2 : 0;
            }
            String command = args[0];
            Options o = switch (command) {
                case "list" -> Options.parse(args, 0, Set.of());
                case "tail" -> Options.parse(args, 1, Set.of("--from-beginning", "--max", "--timeout", "--key"));
                case "dlq" -> Options.parse(args, 1, Set.of("--follow", "--max", "--timeout", "--key"));
                case "produce" -> Options.parse(args, 1, Set.of("--key"));
                default -> throw new Refused(2, "unknown command '" + command + "'");
            };
            String bootstrap = o.values.getOrDefault("--bootstrap", defaultBootstrap);
            if (bootstrap == null || bootstrap.isBlank()) {
                throw new Refused(1, "no Kafka broker: Shoal is not running (./shoal up), and no --bootstrap host:port was given");
            }
            TopicsMain tool = new TopicsMain(bootstrap, out, err);
            switch (command) {
                case "list" -> tool.list();
                case "tail" -> tool.tail(o.topic, o.has("--from-beginning"), false, o);
                case "dlq" -> {
                    String dlq = PayloadTypes.isDeadLetterTopic(o.topic) ? o.topic : dev.shoal.proto.Topics.dlq(o.topic);
                    tool.tail(dlq, true, !o.has("--follow"), o);
                }
                default -> tool.produce(o.topic, o.values.get("--key"), in);
            }
            out.flush();
            return 0;
        } catch (Refused e) {
            out.flush();
            err.println(e.getMessage());
            if (e.status == 2) {
                err.print(USAGE);
            }
            return e.status;
        } catch (TimeoutException | org.apache.kafka.common.errors.TimeoutException e) {
            return brokerFailed(e, args, defaultBootstrap, out, err);
        } catch (ExecutionException e) {
            return brokerFailed(e.getCause() != null ? e.getCause() : e, args, defaultBootstrap, out, err);
        } catch (KafkaException e) {
            return brokerFailed(e, args, defaultBootstrap, out, err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static int brokerFailed(Throwable e, String[] args, String defaultBootstrap, PrintStream out, PrintStream err) {
        out.flush();
        String broker = bootstrap(args, defaultBootstrap);
        if (e instanceof TimeoutException || e instanceof org.apache.kafka.common.errors.TimeoutException) {
            err.println("no answer from the Kafka broker at " + broker + " within " + BROKER_WAIT.toSeconds()
                    + " s: is Shoal up (./shoal status)?");
        } else {
            err.println("Kafka at " + broker + ": " + e);
        }
        return 1;
    }

    private static String bootstrap(String[] args, String defaultBootstrap) {
        int i = Arrays.asList(args).indexOf("--bootstrap");
        return i >= 0 && i + 1 < args.length ? args[i + 1] : defaultBootstrap;
    }

    /** The command line after the command: {@code topics} positional topic names, then options. */
    record Options(String topic, Map<String, String> values) {
        private static final Set<String> FLAGS = Set.of("--from-beginning", "--follow");

        static Options parse(String[] args, int topics, Set<String> known) {
            Set<String> allowed = new HashSet<>(known);
            allowed.add("--bootstrap");
            String topic = null;
            Map<String, String> values = new HashMap<>();
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                if (!a.startsWith("--")) {
                    if (topic != null || topics == 0) {
                        throw new Refused(2, "unexpected argument '" + a + "'");
                    }
                    topic = a;
                } else if (!allowed.contains(a)) {
                    throw new Refused(2, "unknown option '" + a + "' for " + args[0]);
                } else if (FLAGS.contains(a)) {
                    values.put(a, "");
                } else if (i + 1 >= args.length) {
                    throw new Refused(2, a + " needs a value");
                } else {
                    values.put(a, args[++i]);
                }
            }
            if (topics > 0 && topic == null) {
                throw new Refused(2, args[0] + " needs a topic");
            }
            Options o = new Options(topic, values);
            o.positive("--max");
            o.positive("--timeout");
            return o;
        }

        boolean has(String option) {
            return values.containsKey(option);
        }

        /** The value of an option that must be a whole number >= 1, or -1 when absent. */
        long positive(String option) {
            String v = values.get(option);
            if (v == null) {
                return -1;
            }
            if (!v.matches("[0-9]{1,12}") || Long.parseLong(v) < 1) {
                throw new Refused(2, option + " takes a whole number >= 1, not '" + v + "'");
            }
            return Long.parseLong(v);
        }
    }

    // ------------------------------------------------------------------------------------------------ list

    /** One topic in {@code list}: records = end offsets minus start offsets (what retention left). */
    record TopicSummary(String name, int partitions, long endOffsets, long records) {
    }

    static List<TopicSummary> summaries(Admin admin) throws ExecutionException, InterruptedException, TimeoutException {
        Set<String> names = admin.listTopics().names().get(BROKER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames()
                .get(BROKER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        described.values().forEach(d -> d.partitions().forEach(p -> {
            TopicPartition tp = new TopicPartition(d.name(), p.partition());
            earliest.put(tp, OffsetSpec.earliest());
            latest.put(tp, OffsetSpec.latest());
        }));
        Map<TopicPartition, ListOffsetsResultInfo> start = admin.listOffsets(earliest).all()
                .get(BROKER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, ListOffsetsResultInfo> end = admin.listOffsets(latest).all()
                .get(BROKER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        Map<String, TopicSummary> byName = new TreeMap<>();
        for (TopicDescription d : described.values()) {
            long ends = 0;
            long records = 0;
            for (var p : d.partitions()) {
                TopicPartition tp = new TopicPartition(d.name(), p.partition());
                ends += end.get(tp).offset();
                records += end.get(tp).offset() - start.get(tp).offset();
            }
            byName.put(d.name(), new TopicSummary(d.name(), d.partitions().size(), ends, records));
        }
        return new ArrayList<>(byName.values());
    }

    private void list() throws ExecutionException, InterruptedException, TimeoutException {
        List<TopicSummary> topics;
        try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) BROKER_WAIT.toMillis(),
                CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, (int) BROKER_WAIT.toMillis()))) {
            topics = summaries(admin);
        }
        Map<String, TopicSummary> byName = new HashMap<>();
        topics.forEach(t -> byName.put(t.name(), t));
        int width = Math.max("TOPIC".length(), topics.stream().mapToInt(t -> t.name().length()).max().orElse(0));
        String row = "%-" + width + "s  %10s  %11s  %10s  %12s%n";
        out.printf(row, "TOPIC", "PARTITIONS", "END_OFFSETS", "RECORDS", "DEAD_LETTERS");
        for (TopicSummary t : topics) {
            TopicSummary dlq = byName.get(dev.shoal.proto.Topics.dlq(t.name()));
            String deadLetters = PayloadTypes.isDeadLetterTopic(t.name()) ? "(dlq)" : dlq == null ? "-" : String.valueOf(dlq.records());
            out.printf(row, t.name(), t.partitions(), t.endOffsets(), t.records(), deadLetters);
        }
        if (topics.isEmpty()) {
            err.println("no topics yet (the services create theirs when they first use them)");
        }
    }

    // ------------------------------------------------------------------------------------------------ tail

    /**
     * Prints the records of {@code topic}, one JSON object per line. From its end (new records only) or its
     * beginning; stops after {@code --max} records, after {@code --timeout} seconds without a record printed, at
     * the end offsets it found at its start when {@code toEnd}, or never (Ctrl-C).
     */
    private void tail(String topic, boolean fromBeginning, boolean toEnd, Options o) {
        long max = o.positive("--max");
        long timeout = o.positive("--timeout");
        String key = o.values.get("--key");
        byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, SOURCE);
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) BROKER_WAIT.toMillis());
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) BROKER_WAIT.toMillis());
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            Set<TopicPartition> assigned = new HashSet<>();
            Map<TopicPartition, Long> stopAt = new HashMap<>();
            long printed = 0;
            long lastPrinted = System.nanoTime();
            long lastLook = 0;
            boolean toldWaiting = false;
            boolean looked = false; // whether the partitions were looked up once already
            while (true) {
                if (System.nanoTime() - lastLook > TimeUnit.SECONDS.toNanos(assigned.isEmpty() ? 1 : 5)) {
                    lastLook = System.nanoTime();
                    List<TopicPartition> added = newPartitions(consumer, topic, assigned);
                    if (!added.isEmpty()) {
                        assigned.addAll(added);
                        consumer.assign(assigned);
                        // a partition (or the whole topic) that appears after the start holds only new records
                        if (fromBeginning || looked) {
                            consumer.seekToBeginning(added);
                        } else {
                            consumer.seekToEnd(added);
                            added.forEach(tp -> consumer.position(tp, BROKER_WAIT)); // now, not at the first poll
                        }
                        if (toEnd) {
                            stopAt.putAll(consumer.endOffsets(added, BROKER_WAIT));
                        }
                    } else if (assigned.isEmpty()) {
                        if (toEnd) {
                            err.println(topic + " does not exist: "
                                    + (PayloadTypes.isDeadLetterTopic(topic) ? "no record of " + PayloadTypes.baseTopic(topic) + " was dead-lettered" : "nothing to read"));
                            return;
                        }
                        if (!toldWaiting) {
                            err.println(topic + " does not exist yet; waiting for it (./shoal topics list shows the topics)");
                            toldWaiting = true;
                        }
                    }
                    looked = true;
                }
                if (toEnd && stopAt.entrySet().stream().allMatch(e -> consumer.position(e.getKey(), BROKER_WAIT) >= e.getValue())) {
                    return;
                }
                if (timeout > 0 && System.nanoTime() - lastPrinted > TimeUnit.SECONDS.toNanos(timeout)) {
                    return;
                }
                if (assigned.isEmpty()) {
                    sleep(200);
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (keyBytes != null && !Arrays.equals(keyBytes, r.key())) {
                        continue;
                    }
                    out.println(GSON.toJson(RecordJson.of(r)));
                    printed++;
                    lastPrinted = System.nanoTime();
                    if (printed == max) {
                        return;
                    }
                }
                out.flush();
                if (out.checkError()) { // e.g. the reader of a pipe went away
                    return;
                }
            }
        }
    }

    private static List<TopicPartition> newPartitions(KafkaConsumer<?, ?> consumer, String topic, Set<TopicPartition> known) {
        List<TopicPartition> added = new ArrayList<>();
        for (PartitionInfo p : consumer.partitionsFor(topic, BROKER_WAIT)) {
            TopicPartition tp = new TopicPartition(topic, p.partition());
            if (!known.contains(tp)) {
                added.add(tp);
            }
        }
        return added;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused(1, "interrupted");
        }
    }

    // ------------------------------------------------------------------------------------------------ produce

    /** One record to send: its key, value bytes and headers. */
    record Outgoing(String key, byte[] value, Map<String, String> headers) {
    }

    /**
     * Reads JSON documents (one, or one per line, or any sequence of objects), checks every one against the
     * topic's message type, and only then sends them, in order. The topic's consumer decides the encoding: a topic
     * that reads proto3-JSON gets it as JSON with {@code content-type: application/json}, every other one binary
     * protobuf; both with the CloudEvents headers of {@link CloudEventHeaders#of}.
     */
    private void produce(String topic, String key, InputStream in) throws ExecutionException, InterruptedException, TimeoutException {
        List<Outgoing> records = encode(topic, key, in);
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.CLIENT_ID_CONFIG, SOURCE);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) BROKER_WAIT.toMillis());
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) BROKER_WAIT.toMillis() * 3);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) BROKER_WAIT.toMillis());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (Outgoing r : records) {
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8), r.value());
                r.headers().forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
                sent.add(producer.send(record));
            }
            producer.flush();
            for (int i = 0; i < sent.size(); i++) {
                RecordMetadata m = sent.get(i).get(BROKER_WAIT.toMillis() * 3, TimeUnit.MILLISECONDS);
                JsonObject line = new JsonObject();
                line.addProperty("topic", m.topic());
                line.addProperty("partition", m.partition());
                line.addProperty("offset", m.offset());
                line.addProperty("key", records.get(i).key());
                line.addProperty(CloudEventHeaders.ID, records.get(i).headers().get(CloudEventHeaders.ID));
                out.println(GSON.toJson(line));
            }
        }
        err.println("sent " + records.size() + " record(s) to " + topic);
    }

    /** The records for the JSON documents of {@code in}; refuses all of them, naming the first bad one. */
    static List<Outgoing> encode(String topic, String key, InputStream in) {
        Descriptor type = PayloadTypes.forTopic(topic).orElseThrow(() -> new Refused(1, topic
                + " is not a topic of the Shoal contract, so its message type is unknown (topics: "
                + String.join(", ", PayloadTypes.topics()) + ")"));
        if (PayloadTypes.isDeadLetterTopic(topic)) {
            throw new Refused(1, topic + " is a dead-letter topic: only the consumers of " + PayloadTypes.baseTopic(topic) + " write to it");
        }
        boolean json = PayloadTypes.acceptsJson(topic);
        List<Outgoing> records = new ArrayList<>();
        JsonStreamParser documents = new JsonStreamParser(new InputStreamReader(in, StandardCharsets.UTF_8));
        int n = 0;
        try {
            while (documents.hasNext()) {
                n++;
                JsonElement doc = documents.next();
                if (!doc.isJsonObject()) {
                    throw new Refused(1, "document " + n + " is not a JSON object: one " + type.getFullName()
                            + " per document; nothing was sent");
                }
                DynamicMessage message;
                try {
                    message = RecordJson.fromJson(type, doc.toString());
                } catch (InvalidProtocolBufferException e) {
                    throw new Refused(1, "document " + n + " is not a valid " + type.getFullName() + ": " + e.getMessage()
                            + "; nothing was sent");
                }
                String missing = unsetBody(message);
                if (missing != null) {
                    throw new Refused(1, "document " + n + ": " + missing + "; nothing was sent");
                }
                records.add(outgoing(message, key, json));
            }
        } catch (JsonParseException e) {
            throw new Refused(1, "document " + (n == 0 ? 1 : n) + " is not JSON: "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()) + "; nothing was sent");
        }
        if (records.isEmpty()) {
            throw new Refused(1, "no JSON document on standard input: nothing was sent");
        }
        return records;
    }

    /** A request whose consumer needs one member of a oneof set (IngestRequest.body): what is missing, else null. */
    private static String unsetBody(DynamicMessage message) {
        for (OneofDescriptor oneof : message.getDescriptorForType().getRealOneofs()) {
            if (oneof.getName().equals("body") && !message.hasOneof(oneof)) {
                return message.getDescriptorForType().getName() + " has no body: set one of "
                        + String.join(", ", oneof.getFields().stream().map(FieldDescriptor::getName).toList());
            }
        }
        return null;
    }

    private static Outgoing outgoing(DynamicMessage message, String key, boolean json) {
        Message envelope = envelope(message);
        String eventId = envelope != null && !text(envelope, "event_id").isEmpty() ? text(envelope, "event_id") : Envelopes.newEventId();
        String recordKey = key != null ? key : envelope != null && !text(envelope, "aggregate_id").isEmpty()
                ? text(envelope, "aggregate_id") : null;
        Map<String, String> headers = new java.util.LinkedHashMap<>(CloudEventHeaders.of(eventId,
                message.getDescriptorForType().getFullName(), SOURCE, Instant.now()));
        if (json) {
            headers.put(CloudEventHeaders.CONTENT_TYPE, CloudEventHeaders.JSON);
        }
        if (recordKey != null) {
            headers.put(CloudEventHeaders.SUBJECT, recordKey);
        }
        byte[] value = json ? RecordJson.print(message).getBytes(StandardCharsets.UTF_8) : message.toByteArray();
        return new Outgoing(recordKey, value, headers);
    }

    /** The event's {@code envelope} (STYLE.md #7), or null for a message without one. */
    private static Message envelope(DynamicMessage message) {
        FieldDescriptor f = message.getDescriptorForType().findFieldByName("envelope");
        return f != null && f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && message.hasField(f)
                ? (Message) message.getField(f) : null;
    }

    private static String text(Message m, String field) {
        FieldDescriptor f = m.getDescriptorForType().findFieldByName(field);
        return f == null ? "" : String.valueOf(m.getField(f));
    }
}
