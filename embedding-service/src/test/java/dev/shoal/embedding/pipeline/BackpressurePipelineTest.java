package dev.shoal.embedding.pipeline;

import dev.shoal.embedding.messaging.FrameUpsertedConsumer;
import dev.shoal.embedding.store.VectorStore;
import dev.shoal.proto.Topics;
import dev.shoal.proto.ingest.v1.Modality;
import dev.shoal.testkit.KafkaProbe;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With room for only 2 frames in flight, a burst of 40 frames makes the FrameUpserted consumer pause fetching (at 4
 * unfinished records) and resume it (at 2); every frame is still embedded exactly once and fetching ends resumed.
 */
@QuarkusTest
@TestProfile(BackpressurePipelineTest.TwoInFlight.class)
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "embedding"))
class BackpressurePipelineTest {

    public static class TwoInFlight implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shoal.embedding.max-in-flight", "2",
                    "mp.messaging.incoming.frame-upserted.group.id", "embedding-service-backpressure-test");
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    VectorStore store;

    @Inject
    FrameUpsertedConsumer consumer;

    @Test
    void a_burst_larger_than_the_pipeline_pauses_and_resumes_fetching_and_every_frame_is_embedded_once() {
        String dataset = "ds-bp-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, byte[]> records = new LinkedHashMap<>();
        List<String> frames = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String frame = "f-bp-" + i + "-" + UUID.randomUUID();
            frames.add(frame);
            records.put(frame, PipelineEvents.frameEvent(dataset, frame,
                    EmbeddingPipelineTest.text("burst frame number " + i), Modality.MODALITY_TEXT));
        }
        long pausesBefore = consumer.pauses();
        try (KafkaProbe probe = new KafkaProbe(bootstrap)) {
            probe.sendTogether(Topics.FRAME_UPSERTED, records, Map.of("ce_type", "test"));
            for (String frame : frames) {
                assertEquals(1, PipelineEvents.computed(probe, frame, 1, Duration.ofSeconds(90)).size(), frame);
            }
        }
        assertTrue(consumer.pauses() > pausesBefore, "the burst paused fetching at least once");
        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.inFlight() == 0);
        assertFalse(consumer.fetchingPaused(), "fetching is resumed once the burst is done");
        assertEquals(40, store.count(dataset, "all-minilm-l6-v2@1"));
    }
}
