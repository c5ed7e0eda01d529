package dev.shoal.embedding.train;

import dev.shoal.algorithms.data.IdxDataset;
import dev.shoal.embedding.catalog.FrameCatalogRepository;
import dev.shoal.embedding.domain.FrameContent;
import dev.shoal.embedding.domain.ModelRef;
import dev.shoal.embedding.store.VectorRecord;
import dev.shoal.embedding.store.VectorStore;
import dev.shoal.proto.Envelopes;
import dev.shoal.proto.Topics;
import dev.shoal.proto.embedding.v1.EmbeddingComputed;
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
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The train-your-own job through the service: Fashion-MNIST frames (PNG data: URIs) and their labels arrive as
 * events, a REST call starts the job, and the dataset comes back re-embedded under a new model version.
 */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "embedding"))
class TrainingJobTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    FrameCatalogRepository catalog;

    @Inject
    VectorStore store;

    @ConfigProperty(name = "shoal.embedding.trained-models-dir")
    String modelsDir;

    @Test
    void a_training_job_trains_on_labeled_frames_and_re_embeds_the_dataset_as_a_new_model_version() throws IOException {
        assumeTrue(IdxDataset.fashionMnistAvailable(), "Fashion-MNIST not installed");
        IdxDataset images = IdxDataset.fashionMnist("train", 300);
        String dataset = "fm-" + UUID.randomUUID().toString().substring(0, 8);
        int labeled = 250;
        try (KafkaProbe probe = new KafkaProbe(bootstrap)) {
            for (int i = 0; i < images.size(); i++) {
                String frameId = dataset + "-" + i;
                Frame frame = Frame.newBuilder().setId(frameId).setDatasetId(dataset).setModality(Modality.MODALITY_IMAGE)
                        .setSplit(i < labeled ? Split.SPLIT_TRAIN : Split.SPLIT_UNLABELED)
                        .addUris("data:image/png;base64," + Base64.getEncoder().encodeToString(png(images, i))).build();
                probe.send(Topics.FRAME_UPSERTED, frameId, FrameUpserted.newBuilder()
                        .setEnvelope(Envelopes.create("test", dataset, frameId, null)).setFrame(frame).build().toByteArray());
                if (i < labeled) {
                    probe.send(Topics.LABEL_UPSERTED, frameId, LabelUpserted.newBuilder()
                            .setEnvelope(Envelopes.create("test", dataset, frameId, null))
                            .setLabel(Label.newBuilder().setDatasetId(dataset).setFrameId(frameId).setLabelerId("ann-1")
                                    .setLabelSet("v1").setClassification(ClassLabel.newBuilder()
                                            .setClassName(IdxDataset.FASHION_MNIST_CLASSES[images.labels()[i]])))
                            .build().toByteArray());
                }
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                var frames = catalog.dataset(dataset);
                return frames.size() == images.size() && frames.stream().filter(f -> f.label() != null).count() == labeled;
            });

            String id = given().contentType(ContentType.JSON).body(Map.of("datasetId", dataset, "epochs", 2))
                    .when().post("/v1/training-jobs").then().statusCode(202).extract().path("id");
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    !given().get("/v1/training-jobs/" + id).then().extract().path("state").toString().matches("QUEUED|LOADING|TRAINING|EMBEDDING"));
            var status = given().get("/v1/training-jobs/" + id).then().statusCode(200)
                    .body("state", equalTo("SUCCEEDED"))
                    .body("labeled_frames", equalTo(labeled))
                    .body("classes", equalTo(10))
                    .body("embedded_frames", equalTo(images.size()))
                    .extract();
            String modelId = status.path("model_id");
            String modelVersion = new ModelRef(modelId, status.path("model_version")).storeVersion();
            assertEquals(images.size(), store.count(dataset, modelVersion));
            VectorRecord first = store.get(dataset + "-0", modelVersion).orElseThrow();
            assertEquals(64, first.vector().length);
            assertEquals(IdxDataset.FASHION_MNIST_CLASSES[images.labels()[0]], first.label());
            assertEquals("train", first.split());
            var events = probe.await(Topics.EMBEDDING_COMPUTED, r -> r.key().startsWith(dataset + "-")
                    && PipelinesParse.modelId(r.value()).equals(modelId), images.size(), Duration.ofSeconds(60));
            assertEquals(images.size(), events.size());

            // the model was saved: a fresh instance (what a restarted service loads at start) embeds to the same vector
            TrainedModelRepository restarted = new TrainedModelRepository(Path.of(modelsDir));
            ModelRef ref = ModelRef.parse(modelVersion);
            assertTrue(Files.isRegularFile(restarted.directory(ref).resolve("model.properties")), "saved under " + modelsDir);
            try (TrainedEmbedder reloaded = restarted.load(restarted.directory(ref))) {
                BufferedImage img = ImageIO.read(new ByteArrayInputStream(png(images, 0)));
                float[] again = reloaded.embed(List.of(new FrameContent.Image(img))).get(0);
                assertArrayEquals(first.vector(), again, 1e-4f, "the reloaded model gives the stored vector");
            }
        }
        given().get("/v1/training-jobs/nope").then().statusCode(404);
        given().contentType(ContentType.JSON).body(Map.of()).when().post("/v1/training-jobs").then().statusCode(400);
    }

    static byte[] png(IdxDataset d, int i) throws IOException {
        BufferedImage img = new BufferedImage(d.cols(), d.rows(), BufferedImage.TYPE_BYTE_GRAY);
        byte[] px = d.images()[i];
        for (int y = 0; y < d.rows(); y++) {
            for (int x = 0; x < d.cols(); x++) {
                int v = px[y * d.cols() + x] & 0xff;
                img.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** Reads the model id of an EmbeddingComputed record. */
    static final class PipelinesParse {
        static String modelId(byte[] value) {
            try {
                return EmbeddingComputed.parseFrom(value).getModelId();
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                return "";
            }
        }
    }
}
