package dev.shoal.embedding.train;

import dev.shoal.embedding.domain.FrameContent;
import dev.shoal.embedding.domain.ModelRef;
import dev.shoal.embedding.service.ImageEmbedder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A trained model outlives its process: saved under a directory, loaded by a fresh repository (as a restarted service
 * does at start), it embeds the same images to the same vectors.
 */
class TrainedModelRepositoryTest {

    @TempDir
    Path dir;

    /** Two classes of 12x12 gray images: a bright left half or a bright top half, with noise. */
    private static List<BufferedImage> images(int n, Random rnd, int[] labels) {
        List<BufferedImage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            BufferedImage img = new BufferedImage(12, 12, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 12; y++) {
                for (int x = 0; x < 12; x++) {
                    boolean bright = labels[i] == 0 ? x < 6 : y < 6;
                    int v = Math.max(0, Math.min(255, (bright ? 200 : 40) + (int) (rnd.nextGaussian() * 25)));
                    img.setRGB(x, y, (v << 16) | (v << 8) | v);
                }
            }
            out.add(img);
        }
        return out;
    }

    @Test
    void a_saved_model_loaded_by_a_fresh_repository_embeds_to_the_same_vectors() throws IOException {
        ImageEmbedder.Settings settings = new ImageEmbedder.Settings("trained", "pytorch", "cpu", 12, 12, "GRAY",
                new float[]{0.5f}, new float[]{0.25f}, null, true);
        int[] labels = new int[40];
        List<BufferedImage> imgs = images(40, new Random(3), labels);
        List<float[]> pixels = imgs.stream().map(i -> ImageEmbedder.pixels(i, settings)).toList();
        ModelRef ref = new ModelRef("shoal-cnn-test", "20261126T120000");
        CnnEmbeddingTrainer.Options o = new CnnEmbeddingTrainer.Options(16, 1, 8, 0.01f, 7);
        List<FrameContent> content = imgs.stream().map(i -> (FrameContent) new FrameContent.Image(i)).toList();

        List<float[]> before;
        try (TrainedEmbedder trained = new TrainedEmbedder(ref, "ds-test", CnnEmbeddingTrainer.train(pixels, labels, 2, 1, 12, 12, o), settings)) {
            before = trained.embed(content);
            Path saved = new TrainedModelRepository(dir).save(ref, "ds-test", trained.trained(), settings);
            assertTrue(Files.isRegularFile(saved.resolve("model.properties")));
            assertTrue(Files.isRegularFile(saved.resolve("embedding-0000.params")));
        }

        TrainedModelRepository.Loaded loaded = new TrainedModelRepository(dir).loadAll();
        assertEquals(java.util.Map.of(), loaded.failures());
        assertEquals(1, loaded.models().size());
        try (TrainedEmbedder again = loaded.models().get(0)) {
            assertEquals(ref, again.model());
            assertEquals("ds-test", again.datasetId(), "the dataset it was trained on");
            assertEquals(16, again.dimension());
            assertEquals("GRAY", again.settings().channelOrder());
            assertArrayEquals(new float[]{0.25f}, again.settings().std());
            List<float[]> after = again.embed(content);
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(before.get(i), after.get(i), 1e-5f, "image " + i);
            }
        }
    }

    @Test
    void a_directory_that_is_not_a_model_is_reported_and_the_others_still_load() throws IOException {
        Files.createDirectories(dir.resolve("broken%40model"));
        Files.writeString(dir.resolve("broken%40model").resolve("model.properties"), "format=1\narchitecture=shoal-cnn\n");
        Files.createDirectories(dir.resolve(".tmp-leftover"));
        TrainedModelRepository.Loaded loaded = new TrainedModelRepository(dir).loadAll();
        assertTrue(loaded.models().isEmpty());
        assertEquals(1, loaded.failures().size());
        String why = loaded.failures().values().iterator().next();
        assertTrue(why.contains("missing modelId"), why);
        IOException e = assertThrows(IOException.class, () -> new TrainedModelRepository(dir).load(dir.resolve("nope")));
        assertTrue(e.getMessage().contains("model.properties"), e.getMessage());
        assertTrue(new TrainedModelRepository(dir.resolve("absent")).loadAll().models().isEmpty());
    }
}
