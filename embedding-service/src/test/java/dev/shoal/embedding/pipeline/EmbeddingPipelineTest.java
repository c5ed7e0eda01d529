package dev.shoal.embedding.pipeline;

import com.sun.net.httpserver.HttpServer;
import dev.shoal.embedding.store.VectorRecord;
import dev.shoal.embedding.store.VectorStore;
import dev.shoal.proto.CloudEventHeaders;
import dev.shoal.proto.Envelopes;
import dev.shoal.proto.Topics;
import dev.shoal.proto.embedding.v1.EmbeddingComputed;
import dev.shoal.proto.embedding.v1.EmbeddingFailed;
import dev.shoal.proto.ingest.v1.EmbeddingSupplied;
import dev.shoal.proto.ingest.v1.Modality;
import dev.shoal.proto.ingest.v1.UserEmbedding;
import dev.shoal.testkit.KafkaProbe;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stream against the real broker and the real store, with the default fetch policy (loopback refused):
 * frame event in → vector in the store + EmbeddingComputed out; replays do not duplicate; bad frames give
 * EmbeddingFailed + a DLQ record with the reason, and the frames after them are still embedded.
 */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "embedding"))
class EmbeddingPipelineTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final String TEXT_MODEL = "all-minilm-l6-v2@1";
    static HttpServer server;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    VectorStore store;

    final String dataset = "ds-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/note.txt", ex -> {
            byte[] body = "served from loopback".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    static String text(String s) {
        return "data:text/plain;base64," + Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void a_frame_event_gives_a_stored_vector_and_an_embedding_computed_event() {
        String frame = "f-" + UUID.randomUUID();
        try (KafkaProbe probe = new KafkaProbe(bootstrap)) {
            PipelineEvents.send(probe, Topics.FRAME_UPSERTED, frame,
                    PipelineEvents.frameEvent(dataset, frame, text("an acoustic guitar on a stage"), Modality.MODALITY_TEXT));
            List<EmbeddingComputed> out = PipelineEvents.computed(probe, frame, 1, WAIT);
            assertEquals(1, out.size(), "EmbeddingComputed for " + frame);
            EmbeddingComputed e = out.get(0);
            assertEquals("all-minilm-l6-v2", e.getModelId());
            assertEquals("1", e.getModelVersion());
            assertEquals(384, e.getDimension());
            assertEquals(dataset, e.getEnvelope().getDatasetId());
            var records = probe.await(Topics.EMBEDDING_COMPUTED, r -> frame.equals(r.key()), 1, WAIT);
            assertEquals(EmbeddingComputed.getDescriptor().getFullName(), KafkaProbe.header(records.get(0), CloudEventHeaders.TYPE));
            assertEquals("embedding-service", KafkaProbe.header(records.get(0), CloudEventHeaders.SOURCE));
        }
        VectorRecord stored = store.get(frame, TEXT_MODEL).orElseThrow();
        assertEquals(384, stored.vector().length);
        assertEquals(dataset, stored.datasetId());
        assertEquals("train", stored.split());
    }

    @Test
    void the_same_event_twice_leaves_one_vector() {
        String frame = "f-" + UUID.randomUUID();
        byte[] event = PipelineEvents.frameEvent(dataset, frame, text("the same frame, replayed"), Modality.MODALITY_TEXT);
        try (KafkaProbe probe = new KafkaProbe(bootstrap)) {
            PipelineEvents.send(probe, Topics.FRAME_UPSERTED, frame, event);
            PipelineEvents.send(probe, Topics.FRAME_UPSERTED, frame, event);
            assertEquals(2, PipelineEvents.computed(probe, frame, 2, WAIT).size(), "both deliveries processed");
        }
        assertEquals(1, store.count(dataset, TEXT_MODEL) - countOthers(frame));
        assertTrue(store.get(frame, TEXT_MODEL).isPresent());
    }

    /** Rows of this test's dataset other than {@code frame} (other tests of this class share the dataset id). */
    private long countOthers(String frame) {
        long[] n = {0};
        store.export(dataset, TEXT_MODEL, (VectorRecord r) -> {
            if (!r.frameId().equals(frame)) {
                n[0]++;
            }
        });
        return n[0];
    }

    @Test
    void unreachable_corrupt_and_loopback_frames_fail_with_a_reason_and_the_stream_goes_on() {
        String unreachable = "f-unreachable-" + UUID.randomUUID();
        String corrupt = "f-corrupt-" + UUID.randomUUID();
        String loopback = "f-loopback-" + UUID.randomUUID();
        String after = "f-after-" + UUID.randomUUID();
        byte[] notAPng = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1, 2, 3, 4, 5};
        try (KafkaProbe probe = new KafkaProbe(bootstrap)) {
            PipelineEvents.send(probe, Topics.FRAME_UPSERTED, unreachable, PipelineEvents.frameEvent(dataset, unreachable,
                    "http://192.0.2.1:81/frame.png", Modality.MODALITY_IMAGE));
            PipelineEvents.send(probe, Topics.FRAME_UPSERTED, corrupt, PipelineEvents.frameEvent(dataset, corrupt,
                    "data:image/png;base64," + Base64.getEncoder().encodeToString(notAPng), Modality.MODALITY_IMAGE));
            PipelineEvents.send(probe, Topics.FRAME_UPSERTED, loopback, PipelineEvents.frameEvent(dataset, loopback,
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/note.txt", Modality.MODALITY_TEXT));
            PipelineEvents.send(probe, Topics.FRAME_UPSERTED, after, PipelineEvents.frameEvent(dataset, after,
                    text("a frame after the bad ones"), Modality.MODALITY_TEXT));

            EmbeddingFailed u = PipelineEvents.failed(probe, unreachable, WAIT);
            assertTrue(u.getReason().contains("unreachable") || u.getReason().contains("timed out"), u.getReason());
            assertEquals("http://192.0.2.1:81/frame.png", u.getUri());
            EmbeddingFailed c = PipelineEvents.failed(probe, corrupt, WAIT);
            assertTrue(c.getReason().contains("image"), c.getReason());
            EmbeddingFailed l = PipelineEvents.failed(probe, loopback, WAIT);
            assertTrue(l.getReason().contains("loopback"), l.getReason());

            for (String bad : List.of(unreachable, corrupt, loopback)) {
                var dlq = probe.await(Topics.dlq(Topics.FRAME_UPSERTED), r -> bad.equals(r.key()), 1, WAIT);
                assertEquals(1, dlq.size(), "DLQ record for " + bad);
                String reason = KafkaProbe.header(dlq.get(0), CloudEventHeaders.DLQ_REASON);
                assertTrue(reason != null && !reason.isBlank(), "dead-letter-reason header for " + bad);
                assertFalse(store.get(bad, TEXT_MODEL).isPresent());
            }
            assertEquals(1, PipelineEvents.computed(probe, after, 1, WAIT).size(), "the frame after the bad ones");
        }
        assertTrue(store.get(after, TEXT_MODEL).isPresent());
    }

    @Test
    void supplied_embeddings_are_stored_as_they_are_under_their_model_version() {
        String frame = "f-supplied-" + UUID.randomUUID();
        float[] vector = {0.5f, -1.5f, 2.0f, 0.25f};
        UserEmbedding.Builder e = UserEmbedding.newBuilder().setDatasetId(dataset).setFrameId(frame)
                .setModelId("customer-net").setModelVersion("7");
        for (float x : vector) {
            e.addVector(x);
        }
        try (KafkaProbe probe = new KafkaProbe(bootstrap)) {
            PipelineEvents.send(probe, Topics.EMBEDDING_SUPPLIED, frame, EmbeddingSupplied.newBuilder()
                    .setEnvelope(Envelopes.create("test", dataset, frame, null)).setEmbedding(e).build().toByteArray());
            EmbeddingComputed out = PipelineEvents.computed(probe, frame, 1, WAIT).get(0);
            assertEquals("customer-net", out.getModelId());
            assertEquals("7", out.getModelVersion());
            assertEquals(4, out.getDimension());
        }
        assertArrayEquals(vector, store.get(frame, "customer-net@7").orElseThrow().vector(), 1e-6f);
    }

    @Test
    void readiness_names_the_model_engine_and_device() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body(containsString(TEXT_MODEL))
                .body(containsString("engine=onnxruntime"))
                .body(containsString("device=cpu"));
    }
}
