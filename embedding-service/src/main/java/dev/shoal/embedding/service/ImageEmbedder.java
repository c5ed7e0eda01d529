package dev.shoal.embedding.service;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.TranslateException;
import dev.shoal.embedding.config.EmbeddingConfig;
import dev.shoal.embedding.domain.EmbeddingException;
import dev.shoal.embedding.domain.FrameContent;
import dev.shoal.embedding.domain.ModelRef;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Image embeddings from a model the user names (an ONNX file, a TorchScript file, or a model Shoal trained itself),
 * with the preprocessing given in configuration: resize to {@code width x height} (bilinear), channel order
 * {@code RGB}, {@code BGR} or {@code GRAY}, pixels scaled to [0, 1] then {@code (x - mean) / std} per channel,
 * laid out NCHW; the embedding is the named output (or the first), flattened per image, optionally L2-normalised.
 */
public final class ImageEmbedder implements Embedder {

    /** Preprocessing and output selection. */
    public record Settings(String model, String engine, String device, int width, int height, String channelOrder,
                           float[] mean, float[] std, String output, boolean normalize) {

        public int channels() {
            return channelOrder.equalsIgnoreCase("GRAY") ? 1 : 3;
        }

        public static Settings from(EmbeddingConfig.Image c) {
            String model = c.model().orElseThrow();
            String engine = c.engine().orElseGet(() -> model.toLowerCase(Locale.ROOT).endsWith(".onnx") ? "onnxruntime" : "pytorch");
            return new Settings(model, engine, c.device(), c.width(), c.height(), c.channelOrder().toUpperCase(Locale.ROOT),
                    floats(c.mean()), floats(c.std()), c.output().orElse(null), c.normalize());
        }

        private static float[] floats(List<Float> list) {
            float[] out = new float[list.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = list.get(i);
            }
            return out;
        }
    }

    private final ModelRef model;
    private final Settings settings;
    private final String engineName;
    private final String deviceName;
    private final Model djlModel;
    private final PredictorPool<BufferedImage> predictors;
    private final int dimension;

    public ImageEmbedder(ModelRef model, Model djlModel, Settings settings, String engineName) {
        this.model = model;
        this.settings = settings;
        this.djlModel = djlModel;
        this.engineName = engineName;
        this.deviceName = djlModel.getNDManager().getDevice().toString();
        this.predictors = new PredictorPool<>(djlModel, new Preprocess(settings));
        BufferedImage probe = new BufferedImage(settings.width(), settings.height(), BufferedImage.TYPE_INT_RGB);
        try {
            this.dimension = predictors.predict(probe).length;
        } catch (TranslateException e) {
            throw new IllegalStateException(model + ": the model does not run on a " + settings.width() + "x"
                    + settings.height() + " " + settings.channelOrder() + " image: " + e.getMessage(), e);
        }
    }

    /** Loads an ONNX / TorchScript model from a path or URL with the configured engine and ORT's default threads. */
    public static ImageEmbedder load(ModelRef ref, Settings s) {
        return load(ref, s, EngineSupport.OrtThreads.DEFAULTS);
    }

    /** Loads an ONNX / TorchScript model from a path or URL with the configured engine. */
    public static ImageEmbedder load(ModelRef ref, Settings s, EngineSupport.OrtThreads ortThreads) {
        EngineSupport.Choice engine = EngineSupport.choose("shoal.embedding.image.engine", s.engine(), s.device())
                .withOrtThreads(ortThreads);
        Path file = localCopy(s.model());
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        try {
            Model m = engine.load(file.getParent(), dot > 0 ? name.substring(0, dot) : name);
            return new ImageEmbedder(ref, m, s, engine.name());
        } catch (IOException | MalformedModelException e) {
            throw new IllegalStateException("cannot load image model " + s.model() + " with " + engine.describe() + ": "
                    + e.getMessage(), e);
        }
    }

    private static Path localCopy(String location) {
        try {
            if (location.startsWith("http://") || location.startsWith("https://")) {
                String name = Path.of(URI.create(location).getPath()).getFileName().toString();
                Path dir = Files.createTempDirectory("shoal-image-model-");
                Path target = dir.resolve(name);
                try (InputStream in = URI.create(location).toURL().openStream()) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                return target;
            }
            Path p = location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException("image model file not found: " + p.toAbsolutePath());
            }
            return p.toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fetch image model " + location + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ModelRef model() {
        return model;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public boolean accepts(FrameContent content) {
        return content instanceof FrameContent.Image;
    }

    @Override
    public List<float[]> embed(List<FrameContent> batch) {
        List<BufferedImage> images = new ArrayList<>(batch.size());
        for (FrameContent c : batch) {
            if (!(c instanceof FrameContent.Image i)) {
                throw new EmbeddingException(null, model + " embeds images, got " + c.getClass().getSimpleName());
            }
            images.add(i.image());
        }
        try {
            return predictors.batchPredict(images);
        } catch (TranslateException e) {
            throw new IllegalStateException(model + " failed on a batch of " + images.size() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String engine() {
        return engineName;
    }

    @Override
    public String device() {
        return deviceName;
    }

    @Override
    public synchronized void close() {
        predictors.close();
        djlModel.close();
    }

    /** Resizes, reorders channels and normalises in plain Java (no engine ops), NCHW float32. */
    public static float[] pixels(BufferedImage src, Settings s) {
        BufferedImage img = src;
        if (src.getWidth() != s.width() || src.getHeight() != s.height() || src.getType() != BufferedImage.TYPE_INT_RGB) {
            img = new BufferedImage(s.width(), s.height(), BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(src, 0, 0, s.width(), s.height(), null);
            g.dispose();
        }
        int hw = s.width() * s.height();
        int channels = s.channels();
        float[] out = new float[channels * hw];
        int[] rgb = img.getRGB(0, 0, s.width(), s.height(), null, 0, s.width());
        boolean bgr = s.channelOrder().equals("BGR");
        for (int p = 0; p < hw; p++) {
            float r = ((rgb[p] >> 16) & 0xff) / 255f;
            float g = ((rgb[p] >> 8) & 0xff) / 255f;
            float b = (rgb[p] & 0xff) / 255f;
            if (channels == 1) {
                out[p] = ((0.299f * r + 0.587f * g + 0.114f * b) - s.mean()[0]) / s.std()[0];
            } else {
                float c0 = bgr ? b : r;
                float c2 = bgr ? r : b;
                out[p] = (c0 - s.mean()[0]) / s.std()[0];
                out[hw + p] = (g - s.mean()[1]) / s.std()[1];
                out[2 * hw + p] = (c2 - s.mean()[2]) / s.std()[2];
            }
        }
        return out;
    }

    /** Turns a batch of images into one NCHW tensor ({@link #pixels}); takes the configured output, one vector per image. */
    static final class Preprocess implements BatchTranslator<BufferedImage> {
        private final Settings s;

        Preprocess(Settings s) {
            this.s = s;
        }

        @Override
        public Encoded encode(NDManager manager, List<BufferedImage> inputs) {
            int per = s.channels() * s.width() * s.height();
            float[] data = new float[inputs.size() * per];
            for (int i = 0; i < inputs.size(); i++) {
                System.arraycopy(pixels(inputs.get(i), s), 0, data, i * per, per);
            }
            return new Encoded(new NDList(manager.create(data, new Shape(inputs.size(), s.channels(), s.height(), s.width()))),
                    this::vectors);
        }

        private List<float[]> vectors(NDList list) {
            NDArray out = s.output() == null ? list.get(0) : list.get(s.output());
            if (out == null) {
                throw new IllegalStateException("the model has no output named '" + s.output() + "'; outputs: "
                        + list.stream().map(NDArray::getName).toList());
            }
            int batch = (int) out.getShape().get(0);
            float[] all = out.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
            int dim = all.length / batch;
            List<float[]> vectors = new ArrayList<>(batch);
            for (int b = 0; b < batch; b++) {
                float[] v = new float[dim];
                System.arraycopy(all, b * dim, v, 0, dim);
                vectors.add(s.normalize() ? Vectors.normalize(v) : v);
            }
            return vectors;
        }
    }
}
