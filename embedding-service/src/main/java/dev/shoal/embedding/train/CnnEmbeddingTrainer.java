package dev.shoal.embedding.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import ai.djl.engine.Engine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Train-your-own embeddings: a small convolutional network (two conv-batchnorm-ReLU-maxpool stages, LeCun et al.
 * 1998 style, with batch normalisation, Ioffe and Szegedy 2015) trained with softmax cross-entropy on the labeled
 * frames, with Adam (Kingma and Ba 2015), on DJL's PyTorch engine on the CPU. The embedding is the penultimate
 * layer (the {@code embeddingDim}-wide fully connected layer before the classifier), L2-normalised: the standard
 * "features from a supervised network" recipe. Plain Java, no framework: usable from a job, a test or a benchmark.
 */
public final class CnnEmbeddingTrainer {

    /** Training knobs. */
    public record Options(int embeddingDim, int epochs, int batchSize, float learningRate, long seed) {
        public static Options defaults() {
            return new Options(64, 3, 64, 0.002f, 42);
        }

        public Options withEpochs(int e) {
            return new Options(embeddingDim, e, batchSize, learningRate, seed);
        }
    }

    /** A trained network; {@link #embeddingModel()} runs the embedding part only. */
    public static final class Trained implements AutoCloseable {
        private final Model full;
        private final Model embedding;
        private final SequentialBlock embeddingBlock;
        private final int channels;
        private final int height;
        private final int width;
        private final int dimension;
        private final float finalLoss;

        Trained(Model full, SequentialBlock embeddingBlock, int channels, int height, int width, int dimension, float finalLoss) {
            this(full, newEmbeddingModel(embeddingBlock), embeddingBlock, channels, height, width, dimension, finalLoss);
        }

        private Trained(Model full, Model embedding, SequentialBlock embeddingBlock, int channels, int height, int width,
                        int dimension, float finalLoss) {
            this.full = full;
            this.embedding = embedding;
            this.embeddingBlock = embeddingBlock;
            this.channels = channels;
            this.height = height;
            this.width = width;
            this.dimension = dimension;
            this.finalLoss = finalLoss;
        }

        private static Model newEmbeddingModel(SequentialBlock block) {
            Model m = Model.newInstance("shoal-cnn-embedding", Device.cpu(), "PyTorch");
            m.setBlock(block);
            return m;
        }

        /**
         * Loads an embedding network saved by {@link #save} (same architecture: {@code embeddingDim} wide, inputs
         * {@code channels x height x width}). Only the embedding part is kept; {@link #finalLoss()} is the one given.
         */
        public static Trained load(java.nio.file.Path dir, String name, int embeddingDim, int channels, int height, int width,
                                   float finalLoss) throws IOException {
            SequentialBlock block = embeddingNet(embeddingDim);
            Model m = newEmbeddingModel(block);
            try {
                m.load(dir, name);
            } catch (ai.djl.MalformedModelException | IOException | RuntimeException e) {
                m.close();
                throw new IOException("cannot load the trained model " + name + " from " + dir + ": " + e.getMessage(), e);
            }
            return new Trained(null, m, block, channels, height, width, embeddingDim, finalLoss);
        }

        public int channels() {
            return channels;
        }

        public int height() {
            return height;
        }

        public int width() {
            return width;
        }

        /** A DJL model (block = the embedding network, parameters trained) for predictors and {@code ImageEmbedder}. */
        public Model embeddingModel() {
            return embedding;
        }

        public int dimension() {
            return dimension;
        }

        public float finalLoss() {
            return finalLoss;
        }

        /** Embeds pixel arrays (each {@code channels*height*width} values, already scaled), L2-normalised. */
        public float[][] embed(List<float[]> images, int batchSize) {
            float[][] out = new float[images.size()][];
            int per = channels * height * width;
            try (NDManager m = embedding.getNDManager().newSubManager()) {
                ParameterStore ps = new ParameterStore(m, false);
                for (int start = 0; start < images.size(); start += batchSize) {
                    int n = Math.min(batchSize, images.size() - start);
                    float[] data = new float[n * per];
                    for (int i = 0; i < n; i++) {
                        System.arraycopy(images.get(start + i), 0, data, i * per, per);
                    }
                    try (NDManager b = m.newSubManager()) {
                        NDArray x = b.create(data, new Shape(n, channels, height, width));
                        NDArray y = embeddingBlock.forward(ps, new NDList(x), false).singletonOrThrow();
                        float[] flat = y.toFloatArray();
                        int dim = flat.length / n;
                        for (int i = 0; i < n; i++) {
                            float[] v = new float[dim];
                            System.arraycopy(flat, i * dim, v, 0, dim);
                            out[start + i] = dev.shoal.embedding.service.Vectors.normalize(v);
                        }
                    }
                }
            }
            return out;
        }

        /** Saves the trained parameters (DJL format) under {@code dir}. */
        public void save(java.nio.file.Path dir, String name) throws IOException {
            embedding.save(dir, name);
        }

        @Override
        public void close() {
            embedding.close();
            if (full != null) {
                full.close();
            }
        }
    }

    private CnnEmbeddingTrainer() {
    }

    static SequentialBlock embeddingNet(int embeddingDim) {
        return new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(16).build())
                .add(BatchNorm.builder().build())
                .add(Activation::relu)
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(32).build())
                .add(BatchNorm.builder().build())
                .add(Activation::relu)
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(embeddingDim).build());
    }

    /**
     * Trains on labeled images.
     *
     * @param images pixel arrays, each {@code channels*height*width} values (NCHW per image), already scaled
     * @param labels class index per image, in {@code [0, numClasses)}
     */
    public static Trained train(List<float[]> images, int[] labels, int numClasses, int channels, int height, int width,
                                Options o) {
        if (images.size() != labels.length || images.isEmpty()) {
            throw new IllegalArgumentException("need one label per image and at least one image, got "
                    + images.size() + " images and " + labels.length + " labels");
        }
        if (numClasses < 2) {
            throw new IllegalArgumentException("training needs at least 2 classes, got " + numClasses);
        }
        Engine.getEngine("PyTorch").setRandomSeed((int) o.seed());
        SequentialBlock embedding = embeddingNet(o.embeddingDim());
        Block full = new SequentialBlock().add(embedding).add(Activation::relu).add(Linear.builder().setUnits(numClasses).build());
        Model model = Model.newInstance("shoal-cnn", Device.cpu(), "PyTorch");
        model.setBlock(full);
        int per = channels * height * width;
        float[] data = new float[images.size() * per];
        float[] target = new float[labels.length];
        for (int i = 0; i < images.size(); i++) {
            if (images.get(i).length != per) {
                throw new IllegalArgumentException("image " + i + " has " + images.get(i).length + " values, expected " + per);
            }
            System.arraycopy(images.get(i), 0, data, i * per, per);
            target[i] = labels[i];
        }
        NDManager m = model.getNDManager();
        ArrayDataset dataset = new ArrayDataset.Builder()
                .setData(m.create(data, new Shape(images.size(), channels, height, width)))
                .optLabels(m.create(target, new Shape(labels.length)))
                .setSampling(o.batchSize(), true)
                .build();
        DefaultTrainingConfig cfg = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(o.learningRate())).build())
                .optDevices(new Device[]{Device.cpu()})
                .addTrainingListeners(new ai.djl.training.listener.EpochTrainingListener(),
                        new ai.djl.training.listener.EvaluatorTrainingListener());
        float loss;
        try (Trainer trainer = model.newTrainer(cfg)) {
            trainer.setMetrics(new ai.djl.metric.Metrics());
            trainer.initialize(new Shape(o.batchSize(), channels, height, width));
            EasyTrain.fit(trainer, o.epochs(), dataset, null);
            Float l = trainer.getTrainingResult().getTrainLoss();
            loss = l == null ? Float.NaN : l;
        } catch (IOException | TranslateException e) {
            model.close();
            throw new IllegalStateException("training failed: " + e.getMessage(), e);
        }
        return new Trained(model, embedding, channels, height, width, o.embeddingDim(), loss);
    }

    /** k-NN classification accuracy (cosine similarity, majority vote, ties to the nearest) of {@code test} against {@code train}. */
    public static double knnAccuracy(float[][] train, int[] trainLabels, float[][] test, int[] testLabels, int k, int numClasses) {
        int correct = 0;
        float[] trainNorms = new float[train.length];
        for (int i = 0; i < train.length; i++) {
            trainNorms[i] = norm(train[i]);
        }
        for (int q = 0; q < test.length; q++) {
            float qn = norm(test[q]);
            int[] best = new int[k];
            float[] bestSim = new float[k];
            java.util.Arrays.fill(bestSim, Float.NEGATIVE_INFINITY);
            for (int i = 0; i < train.length; i++) {
                float dot = 0;
                float[] a = train[i];
                float[] b = test[q];
                for (int d = 0; d < a.length; d++) {
                    dot += a[d] * b[d];
                }
                float sim = dot / (trainNorms[i] * qn + 1e-12f);
                if (sim > bestSim[k - 1]) {
                    int pos = k - 1;
                    while (pos > 0 && bestSim[pos - 1] < sim) {
                        bestSim[pos] = bestSim[pos - 1];
                        best[pos] = best[pos - 1];
                        pos--;
                    }
                    bestSim[pos] = sim;
                    best[pos] = i;
                }
            }
            int[] votes = new int[numClasses];
            int winner = trainLabels[best[0]];
            for (int j = 0; j < k; j++) {
                int c = trainLabels[best[j]];
                votes[c]++;
                if (votes[c] > votes[winner]) {
                    winner = c;
                }
            }
            if (winner == testLabels[q]) {
                correct++;
            }
        }
        return correct / (double) test.length;
    }

    private static float norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        return (float) Math.sqrt(s);
    }

    /** Convenience for callers holding a list of pixel arrays. */
    public static float[][] toArray(List<float[]> list) {
        return list.toArray(new float[0][]);
    }

    static List<float[]> copyOf(List<float[]> l) {
        return new ArrayList<>(l);
    }
}
