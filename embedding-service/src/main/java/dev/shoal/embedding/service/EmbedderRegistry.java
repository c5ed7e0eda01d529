package dev.shoal.embedding.service;

import dev.shoal.embedding.config.EmbeddingConfig;
import dev.shoal.embedding.domain.FrameContent;
import dev.shoal.embedding.domain.ModelRef;
import dev.shoal.embedding.domain.NoModelException;
import dev.shoal.proto.ingest.v1.Modality;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models this service runs, each loaded once at start with its own {@link MicroBatcher} in front of it, and
 * closed on shutdown. A model that fails to load (e.g. TensorRT selected where there is no GPU) is recorded with its
 * reason: the readiness check reports it DOWN and frames that need it fail with that reason.
 */
@ApplicationScoped
public class EmbedderRegistry {

    private static final Logger LOG = Logger.getLogger(EmbedderRegistry.class);

    /** A loaded model and the batcher in front of it. */
    public record Loaded(Embedder embedder, MicroBatcher<FrameContent, float[]> batcher) {
    }

    @Inject
    EmbeddingConfig config;

    private final Map<String, Loaded> loaded = new ConcurrentHashMap<>();
    private final Map<String, String> failures = new ConcurrentHashMap<>();
    private volatile Loaded text;
    private volatile Loaded image;
    /** Per dataset, the newest model the training job trained on it. */
    private final Map<String, Loaded> trained = new ConcurrentHashMap<>();

    void start(@Observes StartupEvent ev) {
        EmbeddingConfig.Onnx onnx = config.onnx();
        int streams = config.batch().streams();
        if (streams < 1) {
            throw new IllegalStateException("shoal.embedding.batch.streams must be >= 1, was " + streams);
        }
        // several streams share the cores: unless configured, each gets cores / streams intra-op threads
        int intraOp = onnx.intraOpThreads() > 0 || streams == 1 ? onnx.intraOpThreads()
                : Math.max(1, Runtime.getRuntime().availableProcessors() / streams);
        EngineSupport.OrtThreads ortThreads = new EngineSupport.OrtThreads(intraOp, onnx.interOpThreads(),
                onnx.allowSpinning());
        EmbeddingConfig.Text t = config.text();
        if (t.enabled()) {
            ModelRef ref = new ModelRef(t.modelId(), t.modelVersion());
            try {
                EngineSupport.Choice engine = EngineSupport.choose("shoal.embedding.text.engine", t.engine(), t.device())
                        .withOrtThreads(ortThreads);
                text = register(new TextEmbedder(ref, engine, t.maxLength()));
            } catch (RuntimeException e) {
                fail(ref, e);
            }
        }
        EmbeddingConfig.Image i = config.image();
        if (imageModelConfigured()) {
            ModelRef ref = new ModelRef(i.modelId(), i.modelVersion());
            try {
                image = register(ImageEmbedder.load(ref, ImageEmbedder.Settings.from(i), ortThreads));
            } catch (RuntimeException e) {
                fail(ref, e);
            }
        }
    }

    private void fail(ModelRef ref, RuntimeException e) {
        failures.put(ref.storeVersion(), e.getMessage());
        LOG.errorf("model %s not loaded: %s", ref, e.getMessage());
    }

    void stop(@Observes ShutdownEvent ev) {
        for (Loaded l : loaded.values()) {
            l.batcher().close();
            l.embedder().close();
        }
        loaded.clear();
    }

    /** Adds a model (e.g. one the training job produced) with a batcher of the configured size. */
    public Loaded register(Embedder embedder) {
        EmbeddingConfig.Batch b = config.batch();
        Loaded l = new Loaded(embedder, new MicroBatcher<>("embed-" + embedder.model().storeVersion(), b.maxSize(),
                b.maxWait(), b.streams(), embedder::embed));
        Loaded previous = loaded.put(embedder.model().storeVersion(), l);
        if (previous != null) {
            previous.batcher().close();
            previous.embedder().close();
        }
        LOG.infof("model %s loaded: %s on %s, %d dimensions", embedder.model(), embedder.engine(), embedder.device(),
                embedder.dimension());
        return l;
    }

    /**
     * The model that embeds this content of this dataset: the text model for text; for images the configured image
     * model, else the newest model the training job trained on the dataset.
     *
     * @throws NoModelException when there is none (the reason says how to get one)
     */
    public Loaded forContent(FrameContent content, String datasetId) {
        if (content instanceof FrameContent.Text) {
            if (text == null) {
                throw new NoModelException(Modality.MODALITY_TEXT, "no text model is loaded"
                        + reason(new ModelRef(config.text().modelId(), config.text().modelVersion())));
            }
            return text;
        }
        Loaded l = imageModel(datasetId);
        if (l == null) {
            throw new NoModelException(Modality.MODALITY_IMAGE, noImageModel());
        }
        return l;
    }

    /** The text model, for text queries; fails with the reason when it is not loaded. */
    public Loaded textModel() {
        return forContent(new FrameContent.Text(""), null);
    }

    /** The image model of a dataset (configured, else its newest trained one), or null. */
    public Loaded imageModel(String datasetId) {
        Loaded i = image;
        if (i != null) {
            return i;
        }
        return datasetId == null ? null : trained.get(datasetId);
    }

    /** Whether the user named an image model ({@code shoal.embedding.image.model}), loaded or not. */
    public boolean imageModelConfigured() {
        return config.image().model().filter(m -> !m.isBlank()).isPresent();
    }

    /** Why an image frame has no model, and what to do about it. */
    public String noImageModel() {
        if (imageModelConfigured()) {
            return "no image model is loaded" + reason(new ModelRef(config.image().modelId(), config.image().modelVersion()));
        }
        EmbeddingConfig.AutoTrain a = config.autoTrain();
        return a.enabled()
                ? "no image model is loaded: label >= " + a.minLabeledFrames() + " image frames of the dataset in >= "
                        + a.minClasses() + " classes for Shoal to train one, or set shoal.embedding.image.model"
                : "no image model is loaded: set shoal.embedding.image.model to an ONNX or TorchScript file, or train one"
                        + " with POST /v1/training-jobs";
    }

    private String reason(ModelRef ref) {
        String r = failures.get(ref.storeVersion());
        return r == null ? " (disabled by configuration)" : ": " + r;
    }

    /**
     * Adds a model the training job trained on a dataset; from then on it embeds the dataset's new image frames
     * (unless an image model is configured), if it is the dataset's newest (versions are UTC timestamps).
     */
    public Loaded registerTrained(String datasetId, Embedder embedder) {
        Loaded l = register(embedder);
        if (datasetId != null) {
            trained.merge(datasetId, l, (old, now) -> newer(now, old));
        }
        return l;
    }

    private static Loaded newer(Loaded a, Loaded b) {
        return a.embedder().model().version().compareTo(b.embedder().model().version()) >= 0 ? a : b;
    }

    /**
     * The store versions ({@code modelId@version}) the stream may embed content of this modality of this dataset
     * with: the text model for text, the dataset's image model for images, either for an unspecified modality
     * (decided by the content). Models that are not loaded are left out.
     */
    public List<String> versionsFor(Modality modality, String datasetId) {
        List<String> out = new ArrayList<>(2);
        Loaded t = text;
        Loaded i = imageModel(datasetId);
        if (t != null && modality != Modality.MODALITY_IMAGE) {
            out.add(t.embedder().model().storeVersion());
        }
        if (i != null && modality != Modality.MODALITY_TEXT) {
            out.add(i.embedder().model().storeVersion());
        }
        return out;
    }

    public CompletableFuture<float[]> embed(Loaded model, FrameContent content) {
        return model.batcher().submit(content);
    }

    public Loaded get(String storeVersion) {
        return loaded.get(storeVersion);
    }

    /** The store versions of every loaded model (text, image, trained), sorted. */
    public List<String> loadedVersions() {
        return loaded.keySet().stream().sorted().toList();
    }

    /** What is loaded and what failed, for the readiness check. */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Loaded l : loaded.values()) {
            Embedder e = l.embedder();
            out.put(e.model().storeVersion(), "engine=" + e.engine() + ", device=" + e.device() + ", dimension=" + e.dimension()
                    + ", streams=" + l.batcher().threads());
        }
        failures.forEach((k, v) -> out.put(k, "FAILED: " + v));
        return out;
    }

    public List<String> failures() {
        return new ArrayList<>(failures.values());
    }
}
