package dev.shoal.embedding.pipeline;

import com.sun.net.httpserver.HttpServer;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With {@code shoal.embedding.fetch.allow-loopback=true} set explicitly, frames served over loopback HTTP embed. */
@QuarkusTest
@TestProfile(LoopbackAllowedPipelineTest.AllowLoopback.class)
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "embedding"))
class LoopbackAllowedPipelineTest {

    public static class AllowLoopback implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shoal.embedding.fetch.allow-loopback", "true",
                    "shoal.embedding.consumer.group-id", "embedding-service-loopback-test");
        }
    }

    static HttpServer server;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    VectorStore store;

    @BeforeAll
    static void serve() throws IOException {
        server = PipelineEvents.serveText("a violin concerto recorded live");
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    @Test
    void a_frame_served_over_loopback_http_is_embedded_when_loopback_is_allowed() {
        String dataset = "ds-" + UUID.randomUUID().toString().substring(0, 8);
        String frame = "f-http-" + UUID.randomUUID();
        String uri = PipelineEvents.noteUri(server);
        try (KafkaProbe probe = new KafkaProbe(bootstrap)) {
            PipelineEvents.send(probe, Topics.FRAME_UPSERTED, frame,
                    PipelineEvents.frameEvent(dataset, frame, uri, Modality.MODALITY_TEXT));
            assertEquals(1, PipelineEvents.computed(probe, frame, 1, Duration.ofSeconds(60)).size());
        }
        assertTrue(store.get(frame, "all-minilm-l6-v2@1").isPresent());
    }
}
