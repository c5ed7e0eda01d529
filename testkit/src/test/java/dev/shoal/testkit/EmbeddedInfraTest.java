package dev.shoal.testkit;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedInfraTest {

    @Test
    void a_real_broker_stores_and_returns_records() {
        EmbeddedKafka kafka = SharedInfra.kafka();
        kafka.createTopics(2, List.of("testkit.roundtrip.v1"));
        try (KafkaProbe probe = new KafkaProbe(kafka.bootstrapServers())) {
            probe.send("testkit.roundtrip.v1", "k1", "hello".getBytes(StandardCharsets.UTF_8));
            var records = probe.await("testkit.roundtrip.v1", r -> "k1".equals(r.key()), 1, Duration.ofSeconds(30));
            assertEquals(1, records.size());
            assertEquals("hello", new String(records.get(0).value(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void a_real_postgres_answers_sql() throws Exception {
        EmbeddedPostgres pg = SharedInfra.postgres();
        String url = pg.createDatabase("testkit_check");
        try (Connection c = DriverManager.getConnection(url, EmbeddedPostgres.USER, EmbeddedPostgres.PASSWORD);
             ResultSet rs = c.createStatement().executeQuery("SELECT version()")) {
            assertTrue(rs.next());
            assertTrue(rs.getString(1).startsWith("PostgreSQL"), rs.getString(1));
        }
    }
}
