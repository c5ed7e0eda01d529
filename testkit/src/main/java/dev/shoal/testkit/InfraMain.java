package dev.shoal.testkit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./shoal up}'s infrastructure process: a real Kafka broker and a real PostgreSQL with one database per
 * service, data kept under {@code <dir>/data} across restarts. Writes {@code <dir>/infra.env} once both are up,
 * then runs until it is told to stop (SIGTERM), stopping both cleanly.
 *
 * <p>Usage: {@code InfraMain <dir> <kafkaPort> <controllerPort> <postgresPort> <db,db,...>}
 */
public final class InfraMain {

    private InfraMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: InfraMain <dir> <kafkaPort> <controllerPort> <postgresPort> <db,db,...>");
            System.exit(2);
        }
        quietLogging();
        Path dir = Path.of(args[0]).toAbsolutePath();
        int kafkaPort = Integer.parseInt(args[1]);
        int controllerPort = Integer.parseInt(args[2]);
        int pgPort = Integer.parseInt(args[3]);
        List<String> databases = List.of(args[4].split(","));
        // checked before anything starts: a bad entry stops the launch with nothing left running or created
        Map<String, Integer> topics = topicPartitions(System.getenv("SHOAL_TOPIC_PARTITIONS"));
        Map<String, String> brokerSettings = brokerSettings(System.getenv("SHOAL_KAFKA_SETTINGS"));

        EmbeddedPostgres pg = EmbeddedPostgres.startPersistent(dir.resolve("data/postgres"), pgPort);
        for (String db : databases) {
            pg.createDatabase(db);
        }
        EmbeddedKafka kafka = EmbeddedKafka.startPersistent(dir.resolve("data/kafka"), kafkaPort, controllerPort, brokerSettings);

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                kafka.close();
            } catch (Exception e) {
                System.err.println("kafka stop: " + e);
            }
            try {
                pg.close();
            } catch (Exception e) {
                System.err.println("postgres stop: " + e);
            }
            stopped.countDown();
        }, "shoal-infra-stop"));
        try {
            createTopics(kafka, topics).forEach(System.err::println); // ./shoal up shows these lines
        } catch (RuntimeException e) { // the broker's threads would keep the JVM up: exit, and the hook stops both
            System.err.println(e.getMessage());
            System.exit(1);
        }

        String env = "KAFKA_BOOTSTRAP_SERVERS=" + kafka.bootstrapServers() + "\n"
                + "POSTGRES_URL_PREFIX=jdbc:postgresql://127.0.0.1:" + pg.port() + "/\n"
                + "POSTGRES_USER=" + EmbeddedPostgres.USER + "\n"
                + "POSTGRES_PASSWORD=" + EmbeddedPostgres.PASSWORD + "\n";
        Path tmp = dir.resolve("infra.env.tmp");
        Files.writeString(tmp, env, StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve("infra.env"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        System.out.println("kafka    " + kafka.bootstrapServers());
        System.out.println("postgres " + pg.jdbcUrl("<db>") + " (databases " + databases + ")");
        stopped.await();
    }

    /**
     * The topics of {@code SHOAL_TOPIC_PARTITIONS} ("topic=partitions,topic=partitions", e.g.
     * {@code shoal.ingest.requests.v1=8} so that 8 request consumers each get a partition), in order; empty when
     * unset. Refuses the whole setting, naming the entry, when one entry is not topic=partitions with partitions >= 1.
     */
    static Map<String, Integer> topicPartitions(String spec) {
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        pairs("SHOAL_TOPIC_PARTITIONS", spec, "topic=partitions with partitions >= 1",
                (topic, partitions) -> !topic.isEmpty() && partitions.matches("[0-9]{1,9}") && Integer.parseInt(partitions) >= 1)
                .forEach((topic, partitions) -> out.put(topic, Integer.parseInt(partitions)));
        return out;
    }

    /**
     * The entries of a "name=value,name=value" setting, trimmed, in order; empty when unset. Refuses the whole
     * setting, naming it and the entry, when one entry is not name=value or {@code ok} refuses it.
     */
    private static Map<String, String> pairs(String setting, String spec, String shape,
                                             java.util.function.BiPredicate<String, String> ok) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return out;
        }
        for (String entry : spec.split(",")) {
            String[] kv = entry.trim().split("=", 2);
            if (kv.length != 2 || !ok.test(kv[0].trim(), kv[1].trim())) {
                throw new IllegalArgumentException(setting + ": '" + entry.trim() + "' is not " + shape);
            }
            out.put(kv[0].trim(), kv[1].trim());
        }
        return out;
    }

    /**
     * Broker settings of {@code SHOAL_KAFKA_SETTINGS} ("name=value,name=value", e.g.
     * {@code log.flush.interval.ms=1000,log.flush.scheduler.interval.ms=1000}), on top of the launcher's own; empty
     * when unset. A name that is not one of the broker's settings is refused here (the broker itself would ignore it);
     * a value the broker does not accept stops its start with the broker's message.
     */
    static Map<String, String> brokerSettings(String spec) {
        java.util.Set<String> known = kafka.server.KafkaConfig.configDef().names();
        return pairs("SHOAL_KAFKA_SETTINGS", spec, "name=value with the name of a broker setting",
                (name, value) -> known.contains(name) && !value.isEmpty());
    }

    /**
     * Creates the topics before the services start; otherwise a topic is created with the broker's default of 4
     * partitions when a service first uses it. A topic that exists already (a later {@code ./shoal up} on the same
     * data) grows if it has fewer partitions, and stays if it has more ({@link EmbeddedKafka#createOrGrow}).
     * Returns one line per topic that did not simply get what was asked.
     */
    static List<String> createTopics(EmbeddedKafka kafka, Map<String, Integer> topics) {
        List<String> notes = new ArrayList<>();
        Map<String, Integer> before = kafka.createOrGrow(topics);
        topics.forEach((topic, asked) -> {
            int had = before.get(topic);
            if (had > 0 && had < asked) {
                notes.add("SHOAL_TOPIC_PARTITIONS: " + topic + " existed with " + had + " partition(s); now " + asked);
            } else if (had > asked) {
                notes.add("SHOAL_TOPIC_PARTITIONS: " + topic + " exists with " + had + " partitions, more than the "
                        + asked + " asked for; left as it is (Kafka cannot remove partitions)");
            }
        });
        return notes;
    }

    /**
     * Outside Quarkus nothing configures the JBoss LogManager that SLF4J binds to here, and its loggers then
     * report DEBUG and TRACE as enabled: the broker formatted every request as JSON for a log line that was then
     * dropped (a visible share of the broker's CPU under ingest load). INFO for all, WARN for the Kafka internals.
     */
    static void quietLogging() {
        logLevels(java.util.logging.Level.INFO, java.util.logging.Level.WARNING);
    }

    /** Sets the JBoss LogManager's levels outside Quarkus: {@code root} for all, {@code kafka} for Kafka's loggers. */
    static void logLevels(java.util.logging.Level root, java.util.logging.Level kafka) {
        try {
            Class<?> contexts = Class.forName("org.jboss.logmanager.LogContext");
            Object system = contexts.getMethod("getSystemLogContext").invoke(null);
            java.lang.reflect.Method logger = contexts.getMethod("getLogger", String.class);
            ((java.util.logging.Logger) logger.invoke(system, "")).setLevel(root);
            for (String name : new String[] {"kafka", "org.apache.kafka", "state.change.logger"}) {
                ((java.util.logging.Logger) logger.invoke(system, name)).setLevel(kafka);
            }
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            System.err.println("could not set log levels (" + e + "); Kafka may log verbosely");
        }
    }
}
