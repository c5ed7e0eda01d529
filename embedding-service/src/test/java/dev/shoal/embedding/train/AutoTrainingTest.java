package dev.shoal.embedding.train;

import dev.shoal.embedding.domain.ModelRef;
import dev.shoal.embedding.store.VectorStore;
import dev.shoal.proto.Envelopes;
import dev.shoal.proto.Topics;
import dev.shoal.proto.embedding.v1.EmbeddingComputed;
import dev.shoal.proto.embedding.v1.EmbeddingFailed;
import dev.shoal.proto.ingest.v1.ClassLabel;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.FrameUpserted;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.ingest.v1.LabelUpserted;
import dev.shoal.proto.ingest.v1.Modality;
import dev.shoal.proto.ingest.v1.Split;
import dev.shoal.testkit.KafkaProbe;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Predicate;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Image embeddings without configuration, through the real broker and PostgreSQL: no image model is configured, so
 * image frames fail with the no-model reason and are recorded; once a label set holds enough labeled image frames
 * the service trains a model by itself, every frame of the dataset (those that failed included) gets a vector, a
 * frame that arrives after is embedded by the trained model, and re-embed runs the dataset again.
 * {@code embedding-state} reports each step.
 */
@QuarkusTest
@TestProfile(AutoTrainingTest.AutoTrain.class)
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "embedding_auto_train"))
class AutoTrainingTest {

    static final int MIN_LABELS = 20;
    static final int SIZE = 28;
    static final String[] CLASSES = {"plain", "stripes", "checks"};
    static final Duration WAIT = Duration.ofSeconds(90);

    public static class AutoTrain implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shoal.embedding.auto-train.enabled", "true",
                    "shoal.embedding.auto-train.min-labeled-frames", Integer.toString(MIN_LABELS),
                    "shoal.embedding.auto-train.epochs", "2",
                    "shoal.embedding.auto-train.check-interval", "PT0.5S",
                    "shoal.embedding.consumer.group-id", "embedding-service-auto-train-test");
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    VectorStore store;

    final String dataset = "auto-" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void image_frames_without_a_model_are_embedded_once_enough_labels_arrive_and_re_embed_runs_them_again() {
        int frames = 60;
        try (KafkaProbe probe = new KafkaProbe(bootstrap)) {
            // 1. frames, and 12 labels in an older label set: too few, every frame fails for want of an image model
            for (int i = 0; i < frames; i++) {
                probe.send(Topics.FRAME_UPSERTED, frameId(i), frameEvent(i));
            }
            for (int i = 0; i < 12; i++) {
                probe.send(Topics.LABEL_UPSERTED, frameId(i), labelEvent(i, "old"));
            }
            List<EmbeddingFailed> failed = probe.await(Topics.EMBEDDING_FAILED, ofDataset(), frames, WAIT).stream()
                    .map(AutoTrainingTest::parseFailed).toList();
            assertEquals(frames, failed.size(), "one EmbeddingFailed per frame");
            assertTrue(failed.get(0).getReason().contains("no image model is loaded: label >= " + MIN_LABELS),
                    failed.get(0).getReason());
            await().atMost(WAIT).until(() -> state().getInt("frames_failed") == frames
                    && state().getInt("auto_training.labeled_frames") == 12);
            JsonPath before = state();
            assertEquals(frames, before.getInt("frames_seen"));
            assertEquals(frames, before.getInt("frames_failed_without_model"));
            assertEquals(0, before.getInt("frames_pending"));
            assertEquals(frames, before.getInt("failure_reasons[0].frames"));
            assertTrue(before.getString("failure_reasons[0].reason").contains("set shoal.embedding.image.model"));
            assertEquals("WAITING_FOR_LABELS", before.getString("auto_training.state"));
            assertEquals("old", before.getString("auto_training.label_set"));
            assertEquals(MIN_LABELS - 12, before.getInt("auto_training.labels_needed"));
            assertEquals(null, before.getString("image_model"));

            // 2. labels of every frame in label set v1: a training job starts by itself and embeds every frame
            for (int i = 0; i < frames; i++) {
                probe.send(Topics.LABEL_UPSERTED, frameId(i), labelEvent(i, "v1"));
            }
            await().atMost(WAIT).until(() -> state().getString("auto_training.job_id") != null);
            String job = state().getString("auto_training.job_id");
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    given().get("/v1/training-jobs/" + job).then().extract().path("state").toString().matches("SUCCEEDED|FAILED"));
            JsonPath trained = given().get("/v1/training-jobs/" + job).then().statusCode(200)
                    .body("state", equalTo("SUCCEEDED"))
                    .body("kind", equalTo("TRAIN"))
                    .body("trigger", startsWith("auto: label set 'v1' has the most labeled image frames"))
                    .body("label_set", equalTo("v1"))
                    .body("classes", equalTo(3))
                    .body("embedded_frames", equalTo(frames))
                    .body("failed_frames", equalTo(0))
                    .extract().jsonPath();
            assertTrue(trained.getInt("labeled_frames") >= MIN_LABELS, "trained on " + trained.getInt("labeled_frames"));
            String modelId = trained.getString("model_id");
            String version = trained.getString("model_version");
            String model = new ModelRef(modelId, version).storeVersion();
            assertEquals("shoal-cnn-" + dataset, modelId);
            assertEquals(frames, store.count(dataset, model), "every frame, those that failed included, has a vector");
            JsonPath after = state();
            assertEquals(0, after.getInt("frames_failed"));
            assertEquals(0, after.getInt("frames_pending"));
            assertEquals(modelId, after.getString("image_model.model_id"));
            assertEquals(version, after.getString("image_model.model_version"));
            assertEquals("TRAINED", after.getString("auto_training.state"));
            assertEquals(modelId, after.getString("auto_training.model_id"));
            assertEquals(version, after.getString("auto_training.model_version"));
            assertEquals(frames, (int) after.<Integer>getList("vectors.findAll { it.model_id == '" + modelId
                    + "' && it.model_version == '" + version + "' }.vectors").get(0));

            // 3. a frame that arrives now is embedded by the dataset's trained model
            String late = frameId(frames);
            probe.send(Topics.FRAME_UPSERTED, late, frameEvent(frames));
            List<ConsumerRecord<String, byte[]>> computed = probe.await(Topics.EMBEDDING_COMPUTED,
                    r -> late.equals(r.key()), 1, WAIT);
            assertEquals(1, computed.size(), "EmbeddingComputed for the late frame");
            EmbeddingComputed c = parseComputed(computed.get(0));
            assertEquals(model, c.getModelId() + "@" + c.getModelVersion());
            assertTrue(store.get(late, model).isPresent());

            // 4. re-embed: every frame again, as a job; only_missing finds none missing
            String reJob = given().contentType(ContentType.JSON).body(Map.of())
                    .when().post("/v1/datasets/" + dataset + "/re-embed").then().statusCode(202)
                    .header("Location", containsString("/v1/training-jobs/"))
                    .body("kind", equalTo("RE_EMBED")).extract().path("id");
            awaitDone(reJob);
            given().get("/v1/training-jobs/" + reJob).then().body("state", equalTo("SUCCEEDED"))
                    .body("frames_to_embed", equalTo(frames + 1)).body("embedded_frames", equalTo(frames + 1));
            assertEquals(frames + 1, store.count(dataset, model));
            String missingJob = given().contentType(ContentType.JSON).body(Map.of("only_missing", true, "model_id", modelId, "model_version", version))
                    .when().post("/v1/datasets/" + dataset + "/re-embed").then().statusCode(202)
                    .body("model_id", equalTo(modelId)).body("model_version", equalTo(version)).extract().path("id");
            awaitDone(missingJob);
            given().get("/v1/training-jobs/" + missingJob).then().body("state", equalTo("SUCCEEDED"))
                    .body("frames_to_embed", equalTo(0));
        }
        given().contentType(ContentType.JSON).body(Map.of("bogus", 1)).when().post("/v1/datasets/" + dataset + "/re-embed")
                .then().statusCode(400).body("field", equalTo("bogus"));
        given().contentType(ContentType.JSON).body(Map.of("model_id", "nope", "model_version", "1"))
                .when().post("/v1/datasets/" + dataset + "/re-embed")
                .then().statusCode(400).body("field", equalTo("model_id")).body("message", containsString("nope version 1"));
        given().contentType(ContentType.JSON).body(Map.of()).when().post("/v1/datasets/no-such-dataset/re-embed")
                .then().statusCode(404);
        given().get("/v1/datasets/no-such-dataset/embedding-state").then().statusCode(404);
    }

    void awaitDone(String job) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() ->
                given().get("/v1/training-jobs/" + job).then().extract().path("state").toString().matches("SUCCEEDED|FAILED"));
    }

    JsonPath state() {
        return given().get("/v1/datasets/" + dataset + "/embedding-state").then().statusCode(200).extract().jsonPath();
    }

    String frameId(int i) {
        return dataset + "-" + i;
    }

    Predicate<ConsumerRecord<String, byte[]>> ofDataset() {
        return r -> r.key() != null && r.key().startsWith(dataset + "-");
    }

    byte[] frameEvent(int i) {
        Frame frame = Frame.newBuilder().setId(frameId(i)).setDatasetId(dataset).setModality(Modality.MODALITY_IMAGE)
                .setSplit(Split.SPLIT_TRAIN)
                .addUris("data:image/png;base64," + Base64.getEncoder().encodeToString(png(i))).build();
        return FrameUpserted.newBuilder().setEnvelope(Envelopes.create("test", dataset, frameId(i), null)).setFrame(frame)
                .build().toByteArray();
    }

    byte[] labelEvent(int i, String labelSet) {
        return LabelUpserted.newBuilder().setEnvelope(Envelopes.create("test", dataset, frameId(i), null))
                .setLabel(Label.newBuilder().setDatasetId(dataset).setFrameId(frameId(i)).setLabelerId("ann-1")
                        .setLabelSet(labelSet).setClassification(ClassLabel.newBuilder().setClassName(CLASSES[i % 3])))
                .build().toByteArray();
    }

    /** Frame i: class i % 3, a flat grey, horizontal stripes or a checkerboard, with noise. */
    static byte[] png(int i) {
        Random random = new Random(i);
        BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                boolean on = switch (i % 3) {
                    case 0 -> true;
                    case 1 -> (y / 4) % 2 == 0;
                    default -> ((x / 4) + (y / 4)) % 2 == 0;
                };
                int v = Math.max(0, Math.min(255, (on ? 200 : 40) + (int) (random.nextGaussian() * 20)));
                img.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static EmbeddingFailed parseFailed(ConsumerRecord<String, byte[]> r) {
        try {
            return EmbeddingFailed.parseFrom(r.value());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    static EmbeddingComputed parseComputed(ConsumerRecord<String, byte[]> r) {
        try {
            return EmbeddingComputed.parseFrom(r.value());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
