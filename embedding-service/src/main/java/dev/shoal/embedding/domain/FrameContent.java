package dev.shoal.embedding.domain;

import java.awt.image.BufferedImage;

/** The decoded content of one frame, ready for a model. */
public sealed interface FrameContent {

    record Image(BufferedImage image) implements FrameContent {
    }

    record Text(String text) implements FrameContent {
    }
}
