package dev.shoal.testkit;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real single-node Apache Kafka broker in KRaft mode (combined broker + controller), started in-process
 * from the Maven Central jars. No Docker, no ZooKeeper. Used by the integration tests and by {@code ./shoal up}.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private final Path logDir;
    private final int brokerPort;
    private final int controllerPort;
    private final boolean deleteOnClose;
    private KafkaRaftServer server;

    private EmbeddedKafka(Path logDir, int brokerPort, int controllerPort, boolean deleteOnClose) {
        this.logDir = logDir;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.deleteOnClose = deleteOnClose;
    }

    /** A throw-away broker on free ports, for tests. */
    public static EmbeddedKafka startEphemeral() throws IOException {
        Path dir = Files.createTempDirectory("shoal-kafka-");
        EmbeddedKafka kafka = new EmbeddedKafka(dir, Ports.free(), Ports.free(), true);
        kafka.start(Map.of());
        return kafka;
    }

    /**
     * A broker whose data survives restarts (for {@code ./shoal up}), with {@code settings} on top of (or instead of)
     * its own.
     */
    public static EmbeddedKafka startPersistent(Path dir, int brokerPort, int controllerPort, Map<String, String> settings)
            throws IOException {
        Files.createDirectories(dir);
        EmbeddedKafka kafka = new EmbeddedKafka(dir, brokerPort, controllerPort, false);
        kafka.start(settings);
        return kafka;
    }

    private void start(Map<String, String> settings) throws IOException {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", logDir.toString());
        props.put("num.partitions", "4");
        props.put("auto.create.topics.enable", "true");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "4");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("message.max.bytes", String.valueOf(16 * 1024 * 1024));
        props.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
        props.putAll(settings);
        KafkaConfig config = KafkaConfig.fromProps(props, false);

        if (!Files.exists(logDir.resolve("meta.properties"))) {
            try {
                new Formatter()
                        .setClusterId(Uuid.randomUuid().toString())
                        .setNodeId(1)
                        .setDirectories(List.of(logDir.toString()))
                        .setMetadataLogDirectory(logDir.toString())
                        .setControllerListenerName("CONTROLLER")
                        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                        .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                        .run();
            } catch (Exception e) {
                throw new IOException("could not format the Kafka log directory " + logDir + ": " + e.getMessage(), e);
            }
        }
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        awaitReady();
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try (Admin admin = admin()) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                last = new IllegalStateException("Kafka broker not ready: " + e.getMessage(), e);
                sleep(200);
            }
        }
        throw last != null ? last : new IllegalStateException("Kafka broker not ready");
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /** Creates topics (idempotent) with the given partition count; a topic that exists is left as it is. */
    public void createTopics(int partitions, Collection<String> topics) {
        try (Admin admin = admin()) {
            for (String topic : topics) {
                createIfAbsent(admin, topic, partitions);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create topics " + topics + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics " + topics, e);
        }
    }

    /**
     * Per topic, in order: creates it with its partitions, or, if it exists with fewer, adds partitions up to that
     * number (records already in it stay where they are; new records of a key may land in another partition than
     * its earlier ones). A topic with more is left as it is: Kafka cannot take partitions away. One admin client
     * for all of them.
     *
     * @return per topic, the partitions it had before: 0 if it was created now
     */
    public Map<String, Integer> createOrGrow(Map<String, Integer> partitionsByTopic) {
        Map<String, Integer> had = new java.util.LinkedHashMap<>();
        if (partitionsByTopic.isEmpty()) { // ./shoal up without SHOAL_TOPIC_PARTITIONS: no admin client at start-up
            return had;
        }
        String current = null;
        try (Admin admin = admin()) {
            for (Map.Entry<String, Integer> e : partitionsByTopic.entrySet()) {
                current = e.getKey();
                int partitions = e.getValue();
                if (createIfAbsent(admin, current, partitions)) {
                    had.put(current, 0);
                    continue;
                }
                int before = admin.describeTopics(List.of(current)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(current).partitions().size();
                if (before < partitions) {
                    admin.createPartitions(Map.of(current, NewPartitions.increaseTo(partitions))).all().get(30, TimeUnit.SECONDS);
                }
                had.put(current, before);
            }
            return had;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create or grow topic " + current + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + current, e);
        }
    }

    /** @return true if the topic was created now, false if it existed */
    private static boolean createIfAbsent(Admin admin, String topic, int partitions)
            throws ExecutionException, TimeoutException, InterruptedException {
        try {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
        if (deleteOnClose) {
            Files2.deleteRecursively(logDir);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
