package dev.shoal.embedding.train;

import dev.shoal.algorithms.data.IdxDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The train-your-own job on Fashion-MNIST (Xiao et al. 2017; Debian's dataset-fashion-mnist): k-NN (k=5, cosine)
 * accuracy on held-out test images, with the learned embeddings vs with raw pixels, same train/test images.
 */
class CnnEmbeddingTrainerTest {

    @Test
    void learned_embeddings_classify_fashion_mnist_by_knn_well_above_raw_pixels() throws IOException {
        run(5000, 2000, 6, 0.04);
    }

    /** The bigger variant: {@code -Dshoal.test.big-training=true} (60k train, 10k test, 8 epochs; minutes). */
    @Test
    @EnabledIfSystemProperty(named = "shoal.test.big-training", matches = "true")
    void learned_embeddings_on_the_full_fashion_mnist() throws IOException {
        run(60000, 10000, 8, 0.04);
    }

    private static void run(int trainSize, int testSize, int epochs, double margin) throws IOException {
        assumeTrue(IdxDataset.fashionMnistAvailable(), "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        IdxDataset train = IdxDataset.fashionMnist("train", trainSize);
        IdxDataset test = IdxDataset.fashionMnist("t10k", testSize);
        List<float[]> trainPixels = pixels(train);
        List<float[]> testPixels = pixels(test);

        long t0 = System.nanoTime();
        double raw = CnnEmbeddingTrainer.knnAccuracy(CnnEmbeddingTrainer.toArray(trainPixels), train.labels(),
                CnnEmbeddingTrainer.toArray(testPixels), test.labels(), 5, 10);
        long t1 = System.nanoTime();
        try (CnnEmbeddingTrainer.Trained model = CnnEmbeddingTrainer.train(trainPixels, train.labels(), 10, 1, 28, 28,
                CnnEmbeddingTrainer.Options.defaults().withEpochs(epochs))) {
            long t2 = System.nanoTime();
            float[][] trainEmb = model.embed(trainPixels, 256);
            float[][] testEmb = model.embed(testPixels, 256);
            double learned = CnnEmbeddingTrainer.knnAccuracy(trainEmb, train.labels(), testEmb, test.labels(), 5, 10);
            long t3 = System.nanoTime();
            System.out.printf("Fashion-MNIST %d train / %d test, k-NN (k=5, cosine) accuracy: raw pixels %.4f, "
                            + "learned %d-d embeddings %.4f (train %d epochs in %.1f s, final loss %.3f; raw kNN %.1f s, embed+kNN %.1f s)%n",
                    trainSize, testSize, raw, model.dimension(), learned, epochs, (t2 - t1) / 1e9, model.finalLoss(),
                    (t1 - t0) / 1e9, (t3 - t2) / 1e9);
            assertTrue(learned >= raw + margin, "learned " + learned + " vs raw " + raw);
        }
    }

    private static List<float[]> pixels(IdxDataset d) {
        List<float[]> out = new ArrayList<>(d.size());
        for (int i = 0; i < d.size(); i++) {
            out.add(d.pixels(i));
        }
        return out;
    }
}
