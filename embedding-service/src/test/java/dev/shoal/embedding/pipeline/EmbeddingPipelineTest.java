package dev.shoal.embedding.pipeline;

import com.sun.net.httpserver.HttpServer;
import dev.shoal.embedding.catalog.FrameCatalogRepository;
import dev.shoal.embedding.service.EmbedderRegistry;
import dev.shoal.embedding.service.EmbeddingPipeline;
import dev.shoal.embedding.service.MicroBatcher;
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
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stream against the real broker and the real store, with the default fetch policy (loopback refused):
 * frame event in → vector in the store + EmbeddingComputed out; replays are neither embedded nor announced again,
 * changed frames are; labels and predictions reach the stored vectors in either order; bad frames give
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

    @Inject
    EmbeddingPipeline pipeline;

    @Inject
    EmbedderRegistry models;

    @Inject
    FrameCatalogRepository catalog;

    final String dataset = "ds-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void serve() throws IOException {
        server = PipelineEvents.serveText("served from loopback");
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
    void a_replayed_frame_is_neither_embedded_nor_announced_again_but_a_changed_one_is() {
        String frame = "f-" + UUID.randomUUID();
        byte[] event = PipelineEvents.frameEvent(dataset, frame, text("the same frame, replayed"), Modality.MODALITY_TEXT);
        MicroBatcher<?, ?> model = models.get(TEXT_MODEL).batcher();
        long embeddedBefore = model.items();
        long skippedBefore = pipeline.replaysSkipped();
        try (KafkaProbe probe = new KafkaProbe(bootstrap)) {
            // twice back to back (the second usually finds the first in flight), then once more after it is stored
            PipelineEvents.send(probe, Topics.FRAME_UPSERTED, frame, event);
            PipelineEvents.send(probe, Topics.FRAME_UPSERTED, frame, event);
            assertEquals(1, PipelineEvents.computed(probe, frame, 1, WAIT).size());
            await().atMost(WAIT).until(() -> pipeline.replaysSkipped() >= skippedBefore + 1);
            PipelineEvents.send(probe, Topics.FRAME_UPSERTED, frame, event);
            await().atMost(WAIT).until(() -> pipeline.replaysSkipped() >= skippedBefore + 2);
            assertEquals(1, probe.readAll(Topics.EMBEDDING_COMPUTED, r -> frame.equals(r.key()), Duration.ofSeconds(2)).size(),
                    "three deliveries of the same content, one EmbeddingComputed");
            assertEquals(1, model.items() - embeddedBefore, "the model embedded the content once");
            assertEquals(1, store.count(dataset, TEXT_MODEL) - countOthers(frame));
            VectorRecord stored = store.get(frame, TEXT_MODEL).orElseThrow();
            String firstHash = stored.contentHash();
            assertTrue(firstHash != null && firstHash.startsWith("sha256:"), firstHash);

            // the frame changes (another URI): embedded and announced again, the row overwritten in place
            PipelineEvents.send(probe, Topics.FRAME_UPSERTED, frame,
                    PipelineEvents.frameEvent(dataset, frame, text("the frame, edited"), Modality.MODALITY_TEXT));
            assertEquals(2, PipelineEvents.computed(probe, frame, 2, WAIT).size(), "a changed frame is announced");
            assertEquals(2, model.items() - embeddedBefore);
            VectorRecord changed = store.get(frame, TEXT_MODEL).orElseThrow();
            assertNotEquals(firstHash, changed.contentHash());
            assertFalse(Arrays.equals(stored.vector(), changed.vector()), "the vector of the new content");
            assertEquals(1, store.count(dataset, TEXT_MODEL) - countOthers(frame));
        }
    }

    @Test
    void labels_and_predictions_reach_the_stored_vectors_whichever_arrives_first() {
        String vectorFirst = "f-vector-first-" + UUID.randomUUID();
        String labelFirst = "f-label-first-" + UUID.randomUUID();
        String ds = "ds-labels-" + UUID.randomUUID().toString().substring(0, 8);
        try (KafkaProbe probe = new KafkaProbe(bootstrap)) {
            // 1. the vector first, then its label, then an inference
            PipelineEvents.send(probe, Topics.FRAME_UPSERTED, vectorFirst,
                    PipelineEvents.frameEvent(ds, vectorFirst, text("a tabby cat asleep on a sofa"), Modality.MODALITY_TEXT));
            assertEquals(1, PipelineEvents.computed(probe, vectorFirst, 1, WAIT).size());
            assertFalse(store.get(vectorFirst, TEXT_MODEL).orElseThrow().labeled());
            PipelineEvents.send(probe, Topics.LABEL_UPSERTED, vectorFirst, PipelineEvents.labelEvent(ds, vectorFirst, "cat", "ann-1"));
            await().atMost(WAIT).until(() -> textSearch(ds, Map.of("labeled", true, "label", "cat")).contains(vectorFirst));
            assertFalse(textSearch(ds, Map.of("labeled", false)).contains(vectorFirst));
            assertEquals("ann-1", store.get(vectorFirst, TEXT_MODEL).orElseThrow().labelerId());

            PipelineEvents.send(probe, Topics.INFERENCE_UPSERTED, vectorFirst,
                    PipelineEvents.inferenceEvent(ds, vectorFirst, Map.of("cat", 0.2f, "dog", 0.7f, "fox", 0.1f)));
            await().atMost(WAIT).until(() -> textSearch(ds, Map.of("prediction", "dog")).contains(vectorFirst));
            VectorRecord both = store.get(vectorFirst, TEXT_MODEL).orElseThrow();
            assertEquals("cat", both.label(), "the prediction leaves the label alone");

            // 2. the label and the inference first, the frame afterwards: the vector is written with them
            PipelineEvents.send(probe, Topics.LABEL_UPSERTED, labelFirst, PipelineEvents.labelEvent(ds, labelFirst, "bird", "ann-2"));
            PipelineEvents.send(probe, Topics.INFERENCE_UPSERTED, labelFirst,
                    PipelineEvents.inferenceEvent(ds, labelFirst, Map.of("bird", 0.9f, "cat", 0.1f)));
            await().atMost(WAIT).until(() -> "bird".equals(catalog.currentFields(ds, labelFirst).prediction())
                    && "bird".equals(catalog.currentFields(ds, labelFirst).label()));
            PipelineEvents.send(probe, Topics.FRAME_UPSERTED, labelFirst,
                    PipelineEvents.frameEvent(ds, labelFirst, text("a robin on a branch"), Modality.MODALITY_TEXT));
            assertEquals(1, PipelineEvents.computed(probe, labelFirst, 1, WAIT).size());
        }
        VectorRecord r = store.get(labelFirst, TEXT_MODEL).orElseThrow();
        assertEquals("bird", r.label());
        assertTrue(r.labeled());
        assertEquals("ann-2", r.labelerId());
        assertEquals("bird", r.prediction());
        assertEquals(List.of(labelFirst), textSearch(ds, Map.of("labeled", true, "label", "bird")));
        assertEquals(List.of(labelFirst), textSearch(ds, Map.of("prediction", "bird")));
    }

    /** Frame ids a REST text search over {@code ds} returns with these filter fields. */
    private static List<String> textSearch(String ds, Map<String, Object> filter) {
        Map<String, Object> f = new java.util.HashMap<>(filter);
        f.put("dataset_id", ds);
        return given().contentType(ContentType.JSON).body(Map.of("text", "an animal", "k", 10, "filter", f))
                .when().post("/v1/search/text").then().statusCode(200).extract().jsonPath().getList("neighbors.frame.frame_id");
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
                    PipelineEvents.noteUri(server), Modality.MODALITY_TEXT));
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
    void a_record_that_does_not_parse_goes_alone_to_the_dead_letter_topic_and_its_poll_neighbours_are_embedded() {
        String broken = "f-broken-" + UUID.randomUUID();
        byte[] notProtobuf = {0x12, (byte) 0xff, 0x01, 'x'}; // field 2, a length of 255, then one byte
        Map<String, byte[]> records = new LinkedHashMap<>();
        List<String> good = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            if (i == 3) {
                records.put(broken, notProtobuf);
            }
            String frame = "f-poll-" + i + "-" + UUID.randomUUID();
            good.add(frame);
            records.put(frame, PipelineEvents.frameEvent(dataset, frame, text("poll neighbour " + i), Modality.MODALITY_TEXT));
        }
        try (KafkaProbe probe = new KafkaProbe(bootstrap)) {
            probe.sendTogether(Topics.FRAME_UPSERTED, records, Map.of("ce_type", "test"));
            for (String frame : good) {
                assertEquals(1, PipelineEvents.computed(probe, frame, 1, WAIT).size(), "EmbeddingComputed for " + frame);
            }
            var dlq = probe.await(Topics.dlq(Topics.FRAME_UPSERTED), r -> broken.equals(r.key()), 1, WAIT);
            assertEquals(1, dlq.size(), "DLQ record for " + broken);
            var letter = dlq.get(0);
            assertArrayEquals(notProtobuf, letter.value(), "the dead letter carries the record as it came");
            assertEquals("test", KafkaProbe.header(letter, "ce_type"), "the record's own headers are kept");
            String reason = KafkaProbe.header(letter, CloudEventHeaders.DLQ_REASON);
            assertTrue(reason != null && !reason.isBlank(), "dead-letter-reason");
            assertEquals(Topics.FRAME_UPSERTED, KafkaProbe.header(letter, CloudEventHeaders.DLQ_TOPIC));
            assertTrue(Long.parseLong(KafkaProbe.header(letter, CloudEventHeaders.DLQ_OFFSET)) >= 0, "dead-letter-offset");
            assertTrue(probe.readAll(Topics.dlq(Topics.FRAME_UPSERTED), r -> good.contains(r.key()), Duration.ofSeconds(2))
                    .isEmpty(), "no frame of the poll but the broken one is dead-lettered");
        }
        for (String frame : good) {
            assertTrue(store.get(frame, TEXT_MODEL).isPresent(), frame);
        }
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
    void a_supplied_vector_of_the_wrong_dimension_goes_alone_to_the_dead_letter_topic_and_its_poll_neighbours_are_stored() {
        String version = "9-" + UUID.randomUUID().toString().substring(0, 6);
        String wrong = "f-supplied-wrong-" + UUID.randomUUID();
        List<String> right = new ArrayList<>();
        Map<String, byte[]> records = new LinkedHashMap<>();
        for (int i = 0; i < 4; i++) {
            if (i == 2) {
                records.put(wrong, supplied(wrong, version, 1f, 2f, 3f));
            }
            String frame = "f-supplied-right-" + i + "-" + UUID.randomUUID();
            right.add(frame);
            records.put(frame, supplied(frame, version, 1f, i, 2f, 0.5f));
        }
        try (KafkaProbe probe = new KafkaProbe(bootstrap)) {
            // the first right one alone, so the model version's dimension (4) is known before the poll with the wrong one
            PipelineEvents.send(probe, Topics.EMBEDDING_SUPPLIED, right.get(0), records.remove(right.get(0)));
            assertEquals(1, PipelineEvents.computed(probe, right.get(0), 1, WAIT).size());
            probe.sendTogether(Topics.EMBEDDING_SUPPLIED, records, Map.of("ce_type", "test"));
            for (String frame : right) {
                assertEquals(1, PipelineEvents.computed(probe, frame, 1, WAIT).size(), "EmbeddingComputed for " + frame);
            }
            EmbeddingFailed failed = PipelineEvents.failed(probe, wrong, WAIT);
            assertTrue(failed.getReason().contains("dimension"), failed.getReason());
            var dlq = probe.await(Topics.dlq(Topics.EMBEDDING_SUPPLIED), r -> wrong.equals(r.key()), 1, WAIT);
            assertEquals(1, dlq.size(), "DLQ record for " + wrong);
            assertTrue(KafkaProbe.header(dlq.get(0), CloudEventHeaders.DLQ_REASON).contains("dimension"));
            assertEquals(Topics.EMBEDDING_SUPPLIED, KafkaProbe.header(dlq.get(0), CloudEventHeaders.DLQ_TOPIC));
            assertTrue(probe.readAll(Topics.dlq(Topics.EMBEDDING_SUPPLIED), r -> right.contains(r.key()), Duration.ofSeconds(2))
                    .isEmpty(), "only the wrong one is dead-lettered");
        }
        for (String frame : right) {
            assertTrue(store.get(frame, "customer-net@" + version).isPresent(), frame);
        }
        assertFalse(store.get(wrong, "customer-net@" + version).isPresent());
    }

    private byte[] supplied(String frame, String version, float... vector) {
        UserEmbedding.Builder e = UserEmbedding.newBuilder().setDatasetId(dataset).setFrameId(frame)
                .setModelId("customer-net").setModelVersion(version);
        for (float x : vector) {
            e.addVector(x);
        }
        return EmbeddingSupplied.newBuilder().setEnvelope(Envelopes.create("test", dataset, frame, null)).setEmbedding(e)
                .build().toByteArray();
    }

    @Test
    void readiness_names_the_model_engine_and_device() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body(containsString(TEXT_MODEL))
                .body(containsString("engine=onnxruntime"))
                .body(containsString("device=cpu"))
                .body(containsString("streams=2"));
    }
}
