package dev.shoal.e2e;

import dev.shoal.algorithms.data.IdxDataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo's planted problems are what its report compares against (Fashion-MNIST: dataset-fashion-mnist). */
class DemoDataTest {

    static DemoData data;

    @BeforeAll
    static void load() throws Exception {
        data = new DemoData(IdxDataset.fashionMnist("train", 3000), IdxDataset.fashionMnist("t10k", 1000), 7);
    }

    @Test
    void five_percent_of_the_careful_labels_are_flipped_to_the_confusable_class() {
        assertEquals(150, data.flipped.size());
        long wrong = 0;
        for (DemoData.Labeled l : data.labeled) {
            if (data.flipped.contains(l.id())) {
                assertEquals(DemoData.CONFUSABLE[l.truth()], l.careful(), l.id());
            } else {
                assertEquals(l.truth(), l.careful(), l.id());
            }
            wrong += l.careful() != l.truth() ? 1 : 0;
        }
        assertEquals(150, wrong);
        assertEquals(0.05, data.errorRate(DemoData.CAREFUL), 1e-9);
    }

    @Test
    void the_sloppy_labeler_answers_every_third_frame_and_a_fifth_of_them_wrongly() {
        long answered = data.labeled.stream().filter(l -> l.sloppy() >= 0).count();
        assertEquals(1000, answered);
        assertEquals(0.20, data.errorRate(DemoData.SLOPPY), 1e-9);
    }

    @Test
    void the_model_computed_on_the_pixels_fails_far_more_often_on_the_planted_camera() {
        double overall = data.modelErrorRate(null);
        double slice = data.modelErrorRate(DemoData.SLICE_CAMERA);
        assertTrue(overall > 0.05 && overall < 0.35, "overall " + overall);
        assertTrue(slice > 1.8 * data.modelErrorRate("cam-1"), "cam-3 " + slice + " vs cam-1 " + data.modelErrorRate("cam-1"));
        for (DemoData.Labeled l : data.labeled) {
            double sum = 0;
            for (double p : l.probs()) {
                sum += p;
            }
            assertEquals(1.0, sum, 1e-9, l.id());
        }
    }

    @Test
    void frames_carry_the_image_as_a_grey_png_data_uri() throws Exception {
        String uri = data.pngDataUri(data.trainImages[5]);
        assertTrue(uri.startsWith("data:image/png;base64,"), uri);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(uri.substring(uri.indexOf(',') + 1))));
        assertEquals(28, img.getWidth());
        assertEquals(28, img.getHeight());
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                assertEquals(data.trainImages[5][y * 28 + x] & 0xff, img.getRaster().getSample(x, y, 0), x + "," + y);
            }
        }
    }
}
