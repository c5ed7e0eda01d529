package dev.shoal.embedding.service;

import dev.shoal.embedding.domain.ModelRef;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
}
