package dev.shoal.embedding.pipeline;

import dev.shoal.embedding.config.EmbeddingConfig;
import dev.shoal.embedding.service.ImageEmbedder;
import dev.shoal.embedding.service.TestImages;
import dev.shoal.embedding.service.TinyOnnx;
import dev.shoal.embedding.service.Vectors;
import dev.shoal.embedding.store.VectorRecord;
import dev.shoal.embedding.store.VectorStore;
import dev.shoal.proto.Topics;
import dev.shoal.proto.embedding.v1.EmbeddingComputed;
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

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Image frames through the whole stream with a configured ONNX image model (written by the test: its
 * {@code features} output is the flattened input, so each stored vector must be the frame's preprocessed pixels,
 * L2-normalised): PNG frames in through the real broker, all sent at once → decoded, preprocessed, embedded by the
 * image model's batcher → stored → {@code EmbeddingComputed} with the image model's id and dimension.
 */
@QuarkusTest
@TestProfile(ImageModelPipelineTest.WithImageModel.class)
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "embedding"))
class ImageModelPipelineTest {

    static final int WIDTH = 4;
    static final int HEIGHT = 3;

    public static class WithImageModel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path model = TinyOnnx.writeFlattenAndPool(Files.createTempDirectory("shoal-tiny-image-").resolve("tiny.onnx"),
                        3, HEIGHT, WIDTH);
                model.toFile().deleteOnExit();
                return Map.of("shoal.embedding.image.model", model.toString(),
                        "shoal.embedding.image.model-id", "tiny-image",
                        "shoal.embedding.image.width", Integer.toString(WIDTH),
                        "shoal.embedding.image.height", Integer.toString(HEIGHT),
                        "shoal.embedding.image.output", "features",
                        "shoal.embedding.consumer.group-id", "embedding-service-image-model-test");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    EmbeddingConfig config;

    @Inject
    VectorStore store;

    @Test
    void png_frames_are_embedded_by_the_configured_image_model_each_into_its_own_vector() throws IOException {
        String dataset = "ds-img-" + UUID.randomUUID().toString().substring(0, 8);
        List<BufferedImage> images = TestImages.random(12, WIDTH, HEIGHT, 5);
        List<String> frames = new ArrayList<>();
        try (KafkaProbe probe = new KafkaProbe(bootstrap)) {
            for (int i = 0; i < images.size(); i++) {
                String frame = "f-img-" + i + "-" + UUID.randomUUID();
                frames.add(frame);
                PipelineEvents.send(probe, Topics.FRAME_UPSERTED, frame,
                        PipelineEvents.frameEvent(dataset, frame, png(images.get(i)), Modality.MODALITY_IMAGE));
            }
            for (String frame : frames) {
                List<EmbeddingComputed> out = PipelineEvents.computed(probe, frame, 1, Duration.ofSeconds(60));
                assertEquals(1, out.size(), "EmbeddingComputed for " + frame);
                assertEquals("tiny-image", out.get(0).getModelId());
                assertEquals(3 * WIDTH * HEIGHT, out.get(0).getDimension());
            }
        }
        // the service's own settings (default mean, std, channel order and normalisation, the overrides above)
        ImageEmbedder.Settings settings = ImageEmbedder.Settings.from(config.image());
        for (int i = 0; i < frames.size(); i++) {
            VectorRecord stored = store.get(frames.get(i), "tiny-image@1").orElseThrow();
            assertArrayEquals(Vectors.normalize(ImageEmbedder.pixels(images.get(i), settings)), stored.vector(), 1e-5f,
                    "frame " + i);
        }
    }

    static String png(BufferedImage img) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bytes);
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes.toByteArray());
    }
}
