package dev.shoal.algorithms.data;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reader for the IDX files of MNIST / Fashion-MNIST (LeCun et al.; Xiao, Rasul, Vollgraf 2017,
 * "Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning Algorithms", MIT licence).
 * Debian's {@code dataset-fashion-mnist} package installs them under {@link #FASHION_MNIST_DIR};
 * {@code ./shoal test} installs that package.
 *
 * @param images  row-major pixels, {@code images[i]} has {@code rows * cols} values in [0, 255]
 * @param labels  class index per image
 */
public record IdxDataset(int rows, int cols, byte[][] images, int[] labels) {

    public static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final String[] FASHION_MNIST_CLASSES = {
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

    public int size() {
        return labels.length;
    }

    public static boolean fashionMnistAvailable() {
        return Files.isReadable(FASHION_MNIST_DIR.resolve("train-images-idx3-ubyte.gz"));
    }

    /** The first {@code limit} images of the Fashion-MNIST training ("train") or test ("t10k") split. */
    public static IdxDataset fashionMnist(String split, int limit) throws IOException {
        if (!split.equals("train") && !split.equals("t10k")) {
            throw new IllegalArgumentException("split must be 'train' or 't10k', was '" + split + "'");
        }
        if (!fashionMnistAvailable()) {
            throw new IOException("Fashion-MNIST not found under " + FASHION_MNIST_DIR
                    + " (install Debian's dataset-fashion-mnist package: apt-get install dataset-fashion-mnist)");
        }
        return read(FASHION_MNIST_DIR.resolve(split + "-images-idx3-ubyte.gz"),
                FASHION_MNIST_DIR.resolve(split + "-labels-idx1-ubyte.gz"), limit);
    }

    public static IdxDataset read(Path imagesFile, Path labelsFile, int limit) throws IOException {
        try (DataInputStream img = open(imagesFile); DataInputStream lab = open(labelsFile)) {
            int magicImages = img.readInt();
            if (magicImages != 0x00000803) {
                throw new IOException(imagesFile + ": not an IDX3 image file (magic " + Integer.toHexString(magicImages) + ")");
            }
            int count = img.readInt();
            int rows = img.readInt();
            int cols = img.readInt();
            int magicLabels = lab.readInt();
            if (magicLabels != 0x00000801) {
                throw new IOException(labelsFile + ": not an IDX1 label file (magic " + Integer.toHexString(magicLabels) + ")");
            }
            int labelCount = lab.readInt();
            if (labelCount != count) {
                throw new IOException("image count " + count + " != label count " + labelCount);
            }
            int n = limit <= 0 ? count : Math.min(limit, count);
            byte[][] images = new byte[n][rows * cols];
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                img.readFully(images[i]);
                labels[i] = lab.readUnsignedByte();
            }
            return new IdxDataset(rows, cols, images, labels);
        }
    }

    /** Pixels of image {@code i} scaled to [0, 1]. */
    public float[] pixels(int i) {
        byte[] raw = images[i];
        float[] out = new float[raw.length];
        for (int j = 0; j < raw.length; j++) {
            out[j] = (raw[j] & 0xff) / 255f;
        }
        return out;
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        if (file.toString().endsWith(".gz")) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        return new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16));
    }
}
