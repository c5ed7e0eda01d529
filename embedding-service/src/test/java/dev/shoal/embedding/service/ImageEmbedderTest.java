package dev.shoal.embedding.service;

import dev.shoal.embedding.domain.ModelRef;
import org.junit.jupiter.api.Test;

import dev.shoal.embedding.domain.FrameContent;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageEmbedderTest {

    static ImageEmbedder.Settings settings(String order, float[] mean, float[] std) {
        return new ImageEmbedder.Settings("m.onnx", "onnxruntime", "cpu", 2, 1, order, mean, std, null, true);
    }

    static BufferedImage redThenBlue() {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xff0000);
        img.setRGB(1, 0, 0x0000ff);
        return img;
    }

    @Test
    void pixels_are_scaled_normalised_per_channel_and_laid_out_channel_first() {
        // (x/255 - 0.5) / 0.5: 255 -> 1, 0 -> -1; CHW: R plane, G plane, B plane
        float[] rgb = ImageEmbedder.pixels(redThenBlue(), settings("RGB", new float[]{.5f, .5f, .5f}, new float[]{.5f, .5f, .5f}));
        assertArrayEquals(new float[]{1, -1, -1, -1, -1, 1}, rgb, 1e-6f);
    }

    @Test
    void bgr_swaps_the_first_and_last_planes() {
        float[] bgr = ImageEmbedder.pixels(redThenBlue(), settings("BGR", new float[]{0, 0, 0}, new float[]{1, 1, 1}));
        assertArrayEquals(new float[]{0, 1, 0, 0, 1, 0}, bgr, 1e-6f);
    }

    @Test
    void gray_uses_the_luma_weights_and_one_plane() {
        float[] gray = ImageEmbedder.pixels(redThenBlue(), settings("GRAY", new float[]{0}, new float[]{1}));
        assertArrayEquals(new float[]{0.299f, 0.114f}, gray, 1e-5f);
    }

    @Test
    void images_of_another_size_are_resized_to_the_configured_one() {
        BufferedImage big = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
        float[] px = ImageEmbedder.pixels(big, settings("RGB", new float[]{0, 0, 0}, new float[]{1, 1, 1}));
        assertTrue(px.length == 3 * 2 * 1);
    }

    @Test
    void a_missing_model_file_fails_with_its_path() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ImageEmbedder.load(new ModelRef("m", "1"),
                new ImageEmbedder.Settings("/no/such/model.onnx", "onnxruntime", "cpu", 224, 224, "RGB",
                        new float[]{0, 0, 0}, new float[]{1, 1, 1}, null, true)));
        assertTrue(e.getMessage().contains("/no/such/model.onnx"), e.getMessage());
    }

    static ImageEmbedder.Settings tiny(Path model, String output, boolean normalize) {
        return new ImageEmbedder.Settings(model.toString(), "onnxruntime", "cpu", 4, 3, "RGB",
                new float[]{.485f, .456f, .406f}, new float[]{.229f, .224f, .225f}, output, normalize);
    }

    @Test
    void an_onnx_model_embeds_a_batch_in_one_run_with_the_configured_output(@TempDir Path dir) throws Exception {
        Path file = TinyOnnx.writeFlattenAndPool(dir.resolve("tiny.onnx"), 3, 3, 4);
        List<BufferedImage> images = TestImages.random(5, 4, 3, 42);
        List<FrameContent> batch = images.stream().<FrameContent>map(FrameContent.Image::new).toList();
        try (ImageEmbedder features = ImageEmbedder.load(new ModelRef("tiny", "1"), tiny(file, "features", false));
             ImageEmbedder pooled = ImageEmbedder.load(new ModelRef("tiny", "1"), tiny(file, "pooled", false))) {
            assertEquals(36, features.dimension());
            assertEquals(3, pooled.dimension());
            List<float[]> flat = features.embed(batch);
            List<float[]> means = pooled.embed(batch);
            assertEquals(5, flat.size());
            for (int i = 0; i < images.size(); i++) {
                // Flatten of the input is the preprocessed image itself, in the batch and alone
                float[] px = ImageEmbedder.pixels(images.get(i), tiny(file, "features", false));
                assertArrayEquals(px, flat.get(i), 1e-6f, "image " + i + " in the batch");
                assertArrayEquals(px, features.embed(List.of(batch.get(i))).get(0), 1e-6f, "image " + i + " alone");
                for (int c = 0; c < 3; c++) {
                    double sum = 0;
                    for (int p = 0; p < 12; p++) {
                        sum += px[c * 12 + p];
                    }
                    assertEquals(sum / 12, means.get(i)[c], 1e-5, "mean of channel " + c + " of image " + i);
                }
            }
        }
    }

    @Test
    void normalised_vectors_have_unit_length_and_an_unknown_output_is_named(@TempDir Path dir) throws Exception {
        Path file = TinyOnnx.writeFlattenAndPool(dir.resolve("tiny.onnx"), 3, 3, 4);
        List<FrameContent> batch = TestImages.random(3, 4, 3, 7).stream().<FrameContent>map(FrameContent.Image::new).toList();
        try (ImageEmbedder unit = ImageEmbedder.load(new ModelRef("tiny", "1"), tiny(file, "features", true))) {
            for (float[] v : unit.embed(batch)) {
                double norm = 0;
                for (float x : v) {
                    norm += x * x;
                }
                assertEquals(1.0, norm, 1e-5);
            }
        }
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ImageEmbedder.load(new ModelRef("tiny", "1"), tiny(file, "logits", false)));
        assertTrue(e.getMessage().contains("logits") && e.getMessage().contains("features")
                && e.getMessage().contains("pooled"), e.getMessage());
    }

    @Test
    void a_torchscript_model_embeds_a_batch_in_one_run(@TempDir Path dir) throws Exception {
        Path file = TinyTorchScript.writeFlatten(dir.resolve("tiny.pt"));
        ImageEmbedder.Settings settings = new ImageEmbedder.Settings(file.toString(), "pytorch", "cpu", 4, 3, "RGB",
                new float[]{.485f, .456f, .406f}, new float[]{.229f, .224f, .225f}, null, false);
        List<BufferedImage> images = TestImages.random(4, 4, 3, 11);
        try (ImageEmbedder torch = ImageEmbedder.load(new ModelRef("tiny-torch", "1"), settings)) {
            assertEquals("pytorch", torch.engine());
            assertEquals(36, torch.dimension());
            List<float[]> vectors = torch.embed(images.stream().<FrameContent>map(FrameContent.Image::new).toList());
            for (int i = 0; i < images.size(); i++) {
                assertArrayEquals(ImageEmbedder.pixels(images.get(i), settings), vectors.get(i), 1e-6f, "image " + i);
            }
        }
    }
}
