package dev.shoal.embedding.train;

import dev.shoal.embedding.domain.ModelRef;
import dev.shoal.embedding.service.ImageEmbedder;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Trained models on disk, so they outlive the process: one directory per model version under {@code root}
 * ({@code <modelId@version>}, URL-encoded), holding the DJL parameter file of the embedding network
 * ({@code embedding-0000.params}) and {@code model.properties} (the dataset it was trained on, architecture and
 * preprocessing). A model is written to
 * a temporary directory and moved into place, so a crash never leaves half a model under its final name. Plain Java.
 */
public final class TrainedModelRepository {

    static final String PARAMS = "embedding";
    static final String CONFIG = "model.properties";
    static final int FORMAT = 1;
    /** The model id a training job gives its model unless told otherwise: this prefix and the dataset id. */
    public static final String DEFAULT_MODEL_PREFIX = "shoal-cnn-";

    /** What {@link #loadAll} found: the models, and for each directory that could not be loaded, why. */
    public record Loaded(List<TrainedEmbedder> models, Map<Path, String> failures) {
    }

    private final Path root;

    public TrainedModelRepository(Path root) {
        this.root = root.toAbsolutePath();
    }

    public Path root() {
        return root;
    }

    /** The directory of a model version. */
    public Path directory(ModelRef ref) {
        return root.resolve(URLEncoder.encode(ref.storeVersion(), StandardCharsets.UTF_8));
    }

    /** Writes a model trained on a dataset; an existing directory of the same version is replaced. */
    public Path save(ModelRef ref, String datasetId, CnnEmbeddingTrainer.Trained trained, ImageEmbedder.Settings settings)
            throws IOException {
        Files.createDirectories(root);
        Path tmp = root.resolve(".tmp-" + UUID.randomUUID());
        Files.createDirectories(tmp);
        try {
            trained.save(tmp, PARAMS);
            Properties p = new Properties();
            p.setProperty("format", Integer.toString(FORMAT));
            p.setProperty("modelId", ref.modelId());
            p.setProperty("version", ref.version());
            if (datasetId != null) {
                p.setProperty("datasetId", datasetId);
            }
            p.setProperty("architecture", "shoal-cnn");
            p.setProperty("embeddingDim", Integer.toString(trained.dimension()));
            p.setProperty("channels", Integer.toString(trained.channels()));
            p.setProperty("height", Integer.toString(trained.height()));
            p.setProperty("width", Integer.toString(trained.width()));
            p.setProperty("channelOrder", settings.channelOrder());
            p.setProperty("mean", floats(settings.mean()));
            p.setProperty("std", floats(settings.std()));
            p.setProperty("normalize", Boolean.toString(settings.normalize()));
            p.setProperty("finalLoss", Float.toString(trained.finalLoss()));
            try (Writer w = Files.newBufferedWriter(tmp.resolve(CONFIG), StandardCharsets.UTF_8)) {
                p.store(w, "Shoal trained embedding model " + ref);
            }
            Path dir = directory(ref);
            deleteRecursively(dir);
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir);
            }
            return dir;
        } finally {
            deleteRecursively(tmp);
        }
    }

    /** Loads one model directory written by {@link #save}. */
    public TrainedEmbedder load(Path dir) throws IOException {
        Path config = dir.resolve(CONFIG);
        if (!Files.isRegularFile(config)) {
            throw new IOException(dir + " holds no " + CONFIG);
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        try {
            if (Integer.parseInt(required(p, "format")) != FORMAT || !"shoal-cnn".equals(p.getProperty("architecture"))) {
                throw new IOException(config + ": unknown format " + p.getProperty("format") + " / architecture "
                        + p.getProperty("architecture"));
            }
            ModelRef ref = new ModelRef(required(p, "modelId"), required(p, "version"));
            int dim = Integer.parseInt(required(p, "embeddingDim"));
            int channels = Integer.parseInt(required(p, "channels"));
            int height = Integer.parseInt(required(p, "height"));
            int width = Integer.parseInt(required(p, "width"));
            ImageEmbedder.Settings settings = new ImageEmbedder.Settings("trained:" + dir.getFileName(), "pytorch", "cpu",
                    width, height, required(p, "channelOrder"), parseFloats(required(p, "mean")),
                    parseFloats(required(p, "std")), null, Boolean.parseBoolean(required(p, "normalize")));
            CnnEmbeddingTrainer.Trained trained = CnnEmbeddingTrainer.Trained.load(dir, PARAMS, dim, channels, height, width,
                    Float.parseFloat(p.getProperty("finalLoss", "NaN")));
            return new TrainedEmbedder(ref, datasetId(p, ref), trained, settings);
        } catch (IllegalArgumentException e) { // NumberFormatException included
            throw new IOException(config + ": " + e.getMessage(), e);
        }
    }

    /** Every model under the root, in directory-name order; a directory that fails to load is reported, not fatal. */
    public Loaded loadAll() throws IOException {
        List<TrainedEmbedder> models = new ArrayList<>();
        Map<Path, String> failures = new LinkedHashMap<>();
        if (!Files.isDirectory(root)) {
            return new Loaded(models, failures);
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root)) {
            dirs = s.filter(Files::isDirectory).filter(d -> !d.getFileName().toString().startsWith(".tmp-"))
                    .sorted().toList();
        }
        for (Path d : dirs) {
            try {
                models.add(load(d));
            } catch (IOException | RuntimeException e) {
                failures.put(d, e.getMessage());
            }
        }
        return new Loaded(models, failures);
    }

    /** The dataset a model was trained on; models saved without it were named {@code shoal-cnn-<dataset>}. */
    private static String datasetId(Properties p, ModelRef ref) {
        String d = p.getProperty("datasetId");
        if (d != null && !d.isBlank()) {
            return d;
        }
        return ref.modelId().startsWith(DEFAULT_MODEL_PREFIX) ? ref.modelId().substring(DEFAULT_MODEL_PREFIX.length()) : null;
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("missing " + key);
        }
        return v;
    }

    private static String floats(float[] v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            b.append(i == 0 ? "" : ",").append(v[i]);
        }
        return b.toString();
    }

    private static float[] parseFloats(String s) {
        String[] parts = s.split(",");
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Float.parseFloat(parts[i].trim());
        }
        return out;
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
