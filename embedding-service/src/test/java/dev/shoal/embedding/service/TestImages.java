package dev.shoal.embedding.service;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Images of random RGB pixels for the image-model tests, the same for the same seed. */
public final class TestImages {

    private TestImages() {
    }

    public static List<BufferedImage> random(int n, int width, int height, long seed) {
        Random random = new Random(seed);
        List<BufferedImage> images = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    img.setRGB(x, y, random.nextInt(1 << 24));
                }
            }
            images.add(img);
        }
        return images;
    }
}
