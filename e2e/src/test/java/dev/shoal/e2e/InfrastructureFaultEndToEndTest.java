package dev.shoal.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kafka-and-PostgreSQL process of {@code ./shoal up} is killed: ingest answers 503 with Retry-After (the first call
 * within the publish timeout, the next ones at once) instead of hanging, and {@code ./shoal up} run again stops what
 * the dead run left behind (PostgreSQL outlives the JVM that started it), starts afresh and keeps the data.
 */
@EnabledIfSystemProperty(named = "shoal.e2e", matches = "true")
class InfrastructureFaultEndToEndTest {

    @Test
    void a_killed_infrastructure_process_gives_503s_and_up_recovers_with_the_data_kept() throws Exception {
        String dataset = "fault-" + UUID.randomUUID().toString().substring(0, 8);
        try (Platform platform = Platform.up(Map.of())) {
            assertEquals(201, platform.post(Platform.INGEST + "/v1/datasets", Map.of("id", dataset, "modality", "MODALITY_TEXT")).status());
            assertEquals(200, platform.post(Platform.INGEST + "/v1/frames", frames(dataset, 0, 10)).status());

            ProcessHandle infra = ProcessHandle.of(platform.infraPid()).orElseThrow();
            infra.destroyForcibly();
            infra.onExit().get();

            long t0 = System.nanoTime();
            Platform.Reply first = platform.post(Platform.INGEST + "/v1/frames", frames(dataset, 10, 15));
            double firstSeconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(503, first.status(), first.text());
            assertTrue(first.headers().firstValue("Retry-After").isPresent(), "Retry-After on " + first.text());
            assertTrue(firstSeconds < 30, "the first call answered within the publish timeout: " + firstSeconds + " s");

            long t1 = System.nanoTime();
            Platform.Reply next = platform.post(Platform.INGEST + "/v1/frames", frames(dataset, 10, 15));
            double nextSeconds = (System.nanoTime() - t1) / 1e9;
            assertEquals(503, next.status(), next.text());
            assertTrue(next.headers().firstValue("Retry-After").isPresent(), next.text());
            assertTrue(nextSeconds < 3, "the next call is refused at once: " + nextSeconds + " s");
            System.out.printf("broker and PostgreSQL process killed: first call 503 after %.1f s, the next after %.2f s%n",
                    firstSeconds, nextSeconds);

            platform.upAgain();
            assertEquals(10, platform.get(Platform.INGEST + "/v1/datasets/" + dataset + "/stats").body().path("frames").asLong(),
                    "the frames stored before the kill are kept");
            Platform.Reply after = platform.post(Platform.INGEST + "/v1/frames", frames(dataset, 10, 15));
            assertEquals(200, after.status(), after.text());
            assertEquals(5, after.body().path("stored").asInt(), after.text());
            platform.await(Platform.MINING + "/v1/datasets/" + dataset + "/state",
                    s -> s.path("mining").path("frames").asLong() == 15, Duration.ofMinutes(2));
        }
    }

    private static Map<String, Object> frames(String dataset, int from, int to) {
        List<Map<String, Object>> frames = new ArrayList<>();
        for (int i = from; i < to; i++) {
            frames.add(Map.of("dataset_id", dataset, "id", "f" + i, "uris", List.of("data:text/plain,frame%20" + i)));
        }
        return Map.of("frames", frames);
    }
}
