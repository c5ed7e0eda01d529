package dev.shoal.testkit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code SHOAL_TOPIC_PARTITIONS}: topics created on the real broker with the partitions asked for, before any service. */
class InfraMainTest {

    /** A topic just created may take a moment to reach the broker's metadata: asks again for up to 10 s. */
    private static int partitions(Admin admin, String topic) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                Map<String, TopicDescription> d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS);
                return d.get(topic).partitions().size();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    @Test
    void topics_get_the_partitions_asked_for_existing_ones_grow_and_are_never_shrunk() throws Exception {
        EmbeddedKafka kafka = SharedInfra.kafka();
        assertEquals(List.of(), InfraMain.createTopics(kafka, InfraMain.topicPartitions(" infra-test.a=8, infra-test.b=1 ")));
        try (Admin admin = kafka.admin()) {
            assertEquals(8, partitions(admin, "infra-test.a"));
            assertEquals(1, partitions(admin, "infra-test.b"));
            // exists with more: Kafka cannot remove partitions, so it stays, and the note says so
            List<String> notes = InfraMain.createTopics(kafka, InfraMain.topicPartitions("infra-test.a=2"));
            assertEquals(8, partitions(admin, "infra-test.a"));
            assertEquals(1, notes.size(), notes.toString());
            assertTrue(notes.get(0).contains("infra-test.a exists with 8 partitions") && notes.get(0).contains("2 asked"), notes.get(0));
            // exists with fewer: it grows to what was asked
            notes = InfraMain.createTopics(kafka, InfraMain.topicPartitions("infra-test.b=3"));
            assertEquals(3, partitions(admin, "infra-test.b"));
            assertEquals(List.of("SHOAL_TOPIC_PARTITIONS: infra-test.b existed with 1 partition(s); now 3"), notes);
        }
        assertTrue(InfraMain.topicPartitions(null).isEmpty());
        assertTrue(InfraMain.topicPartitions(" ").isEmpty());
    }

    @Test
    void a_malformed_entry_refuses_the_whole_setting_naming_it() {
        for (String bad : List.of("infra-test.c", "infra-test.c=0", "infra-test.c=x", "=3")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> InfraMain.topicPartitions("infra-test.ok=2," + bad));
            assertTrue(e.getMessage().contains("SHOAL_TOPIC_PARTITIONS") && e.getMessage().contains(bad),
                    e.getMessage());
        }
        assertEquals(Map.of("a", 2, "b", 3), InfraMain.topicPartitions("a=2, b = 3"));
    }

    @Test
    void broker_settings_are_name_value_pairs_and_a_malformed_one_is_refused_by_name() {
        assertEquals(Map.of("log.flush.interval.ms", "1000", "num.io.threads", "2"),
                InfraMain.brokerSettings(" log.flush.interval.ms=1000 , num.io.threads = 2"));
        assertTrue(InfraMain.brokerSettings(null).isEmpty());
        for (String bad : List.of("log.flush.interval.ms", "=1000", "log.flush.intervall.ms=1", "log.flush.interval.ms=")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> InfraMain.brokerSettings("num.io.threads=2," + bad));
            assertTrue(e.getMessage().contains("SHOAL_KAFKA_SETTINGS") && e.getMessage().contains(bad), e.getMessage());
        }
    }
}
