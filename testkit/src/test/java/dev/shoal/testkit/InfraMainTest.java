package dev.shoal.testkit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code SHOAL_TOPIC_PARTITIONS}: topics created on the real broker with the partitions asked for, before any service. */
class InfraMainTest {

    private static int partitions(Admin admin, String topic) throws Exception {
        Map<String, TopicDescription> d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS);
        return d.get(topic).partitions().size();
    }

    @Test
    void topics_are_created_with_the_partitions_asked_for_and_existing_ones_are_left_alone() throws Exception {
        EmbeddedKafka kafka = SharedInfra.kafka();
        InfraMain.createTopics(kafka, InfraMain.topicPartitions(" infra-test.a=8, infra-test.b=1 "));
        try (Admin admin = kafka.admin()) {
            assertEquals(8, partitions(admin, "infra-test.a"));
            assertEquals(1, partitions(admin, "infra-test.b"));
            InfraMain.createTopics(kafka, InfraMain.topicPartitions("infra-test.a=2")); // exists: unchanged, no error
            assertEquals(8, partitions(admin, "infra-test.a"));
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
}
