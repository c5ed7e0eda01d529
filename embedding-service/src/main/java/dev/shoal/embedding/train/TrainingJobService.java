package dev.shoal.embedding.train;

import dev.shoal.embedding.catalog.FrameCatalogRepository;
import dev.shoal.embedding.catalog.FrameCatalogRepository.CatalogFrame;
import dev.shoal.embedding.domain.EmbeddingException;
import dev.shoal.embedding.domain.FrameContent;
import dev.shoal.embedding.domain.ModelRef;
import dev.shoal.embedding.messaging.EmbeddingEventProducer;
import dev.shoal.embedding.service.EmbedderRegistry;
import dev.shoal.embedding.service.EmbeddingPipeline;
import dev.shoal.embedding.service.ImageEmbedder;
import dev.shoal.embedding.store.VectorRecord;
import dev.shoal.embedding.store.VectorStore;
import dev.shoal.proto.Inputs;
import dev.shoal.proto.ingest.v1.Modality;
import dev.shoal.embedding.config.EmbeddingConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The train-your-own job: takes a dataset's labeled image frames from the frame catalog, fetches and decodes them,
 * trains {@link CnnEmbeddingTrainer}'s CNN, registers it as a new model version ({@code modelId@yyyyMMdd'T'HHmmss}),
 * and re-embeds every image frame of the dataset with it (vectors to the store, one {@code EmbeddingComputed} each).
 * Jobs run one at a time on their own thread; their status is kept in memory. Each trained model is saved under
 * {@code shoal.embedding.trained-models-dir} ({@link TrainedModelRepository}) before it is registered, and every
 * saved model is registered again at start, so its model version survives a restart.
 */
@ApplicationScoped
public class TrainingJobService {

    private static final Logger LOG = Logger.getLogger(TrainingJobService.class);
    private static final DateTimeFormatter VERSION = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

    /** What to train. Nulls take the defaults. */
    public record Request(String datasetId, String modelId, Integer epochs, Integer embeddingDim, Integer width,
                          Integer height, String channelOrder) {
    }

    public enum State { QUEUED, LOADING, TRAINING, EMBEDDING, SUCCEEDED, FAILED }

    /** A job's status as the REST API shows it. */
    public record Status(String id, String datasetId, State state, String modelId, String modelVersion, int labeledFrames,
                         int classes, int skippedFrames, int embeddedFrames, Float finalLoss, String message,
                         Instant createdAt, Instant finishedAt) {
    }

    @Inject
    FrameCatalogRepository catalog;

    @Inject
    EmbeddingPipeline pipeline;

    @Inject
    EmbedderRegistry models;

    /** Resolved lazily: the store's producer lives in {@code dev.shoal.embedding.store} (chosen by configuration). */
    @Inject
    Instance<VectorStore> stores;

    @Inject
    EmbeddingEventProducer events;

    @Inject
    EmbeddingConfig config;

    private TrainedModelRepository saved;

    private final Map<String, Status> jobs = new ConcurrentHashMap<>();
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "training-job");
        t.setDaemon(true);
        return t;
    });

    /** Registers the models earlier runs trained and saved. */
    void start(@Observes StartupEvent ev) {
        saved = new TrainedModelRepository(Path.of(config.trainedModelsDir()));
        try {
            TrainedModelRepository.Loaded found = saved.loadAll();
            for (TrainedEmbedder model : found.models()) {
                models.register(model);
            }
            found.failures().forEach((dir, why) -> LOG.errorf("trained model in %s not loaded: %s", dir, why));
            LOG.infof("%d trained model(s) loaded from %s", found.models().size(), saved.root());
        } catch (IOException e) {
            LOG.errorf(e, "cannot read the trained models under %s", saved.root());
        }
    }

    /** Where trained models are kept. */
    public TrainedModelRepository savedModels() {
        return saved;
    }

    void stop(@Observes ShutdownEvent ev) {
        runner.shutdownNow();
    }

    /** Bounds of a training request: epochs, the embedding width, and the side of the images the CNN is trained on. */
    public static final int MAX_EPOCHS = 1000;
    public static final int MIN_EMBEDDING_DIM = 2;
    public static final int MAX_EMBEDDING_DIM = 4096;
    /** The network pools twice by 2, so an image side is at least 4 pixels; 512 keeps a dataset's pixels in memory. */
    public static final int MIN_SIDE = 4;
    public static final int MAX_SIDE = 512;

    /** A request field out of its rules: HTTP 400 naming {@link #field()} as the request spells it. */
    public static class InvalidRequest extends IllegalArgumentException {
        private final String field;

        public InvalidRequest(String field, String message) {
            super(field + " " + message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** Checks a request before it becomes a job: ids ({@link Inputs}), bounded numbers, a dataset the frame catalog knows. */
    void validate(Request r) {
        if (r == null) {
            throw new InvalidRequest("body", "is required: a JSON object with datasetId");
        }
        reject("datasetId", Inputs.idProblem(r.datasetId()));
        if (r.modelId() != null && !r.modelId().isEmpty()) {
            reject("modelId", Inputs.idProblem(r.modelId()));
        }
        range("epochs", r.epochs(), 1, MAX_EPOCHS);
        range("embeddingDim", r.embeddingDim(), MIN_EMBEDDING_DIM, MAX_EMBEDDING_DIM);
        range("width", r.width(), MIN_SIDE, MAX_SIDE);
        range("height", r.height(), MIN_SIDE, MAX_SIDE);
        if (r.channelOrder() != null && !List.of("GRAY", "RGB", "BGR").contains(r.channelOrder().toUpperCase(java.util.Locale.ROOT))) {
            throw new InvalidRequest("channelOrder", "must be GRAY, RGB or BGR, was '" + Inputs.abbreviate(r.channelOrder()) + "'");
        }
        if (!catalog.hasDataset(r.datasetId())) {
            throw new InvalidRequest("datasetId", "'" + r.datasetId() + "' has no frames in the frame catalog (unknown dataset)");
        }
    }

    private static void reject(String field, String problem) {
        if (problem != null) {
            throw new InvalidRequest(field, problem);
        }
    }

    private static void range(String field, Integer value, int min, int max) {
        if (value != null && (value < min || value > max)) {
            throw new InvalidRequest(field, "must be within " + min + ".." + max + ", was " + value);
        }
    }

    public Status start(Request request) {
        validate(request);
        String id = UUID.randomUUID().toString();
        String modelId = request.modelId() == null || request.modelId().isBlank() ? "shoal-cnn-" + request.datasetId() : request.modelId();
        Status s = new Status(id, request.datasetId(), State.QUEUED, modelId, null, 0, 0, 0, 0, null, null, Instant.now(), null);
        jobs.put(id, s);
        runner.submit(() -> run(s, request));
        return s;
    }

    public Optional<Status> status(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    private void update(Status s) {
        jobs.put(s.id(), s);
    }

    private void run(Status s, Request r) {
        int width = r.width() == null ? 28 : r.width();
        int height = r.height() == null ? 28 : r.height();
        String order = r.channelOrder() == null ? "GRAY" : r.channelOrder().toUpperCase(java.util.Locale.ROOT);
        int channels = order.equals("GRAY") ? 1 : 3;
        ImageEmbedder.Settings settings = new ImageEmbedder.Settings("trained", "pytorch", "cpu", width, height, order,
                channels == 1 ? new float[]{0f} : new float[]{0f, 0f, 0f}, channels == 1 ? new float[]{1f} : new float[]{1f, 1f, 1f},
                null, true);
        try {
            update(s = with(s, State.LOADING, null));
            List<CatalogFrame> frames = new ArrayList<>();
            List<float[]> pixels = new ArrayList<>();
            int skipped = 0;
            for (CatalogFrame f : catalog.dataset(r.datasetId())) {
                if (Modality.MODALITY_TEXT.name().equals(f.modality())) {
                    continue;
                }
                try {
                    FrameContent c = pipeline.fetcher().fetch(f.uris().get(0), Modality.MODALITY_IMAGE);
                    pixels.add(ImageEmbedder.pixels(((FrameContent.Image) c).image(), settings));
                    frames.add(f);
                } catch (EmbeddingException e) {
                    skipped++;
                }
            }
            List<String> classes = new ArrayList<>(new TreeSet<>(frames.stream().map(CatalogFrame::label)
                    .filter(l -> l != null).toList()));
            List<float[]> trainX = new ArrayList<>();
            List<Integer> trainY = new ArrayList<>();
            for (int i = 0; i < frames.size(); i++) {
                if (frames.get(i).label() != null) {
                    trainX.add(pixels.get(i));
                    trainY.add(classes.indexOf(frames.get(i).label()));
                }
            }
            s = new Status(s.id(), s.datasetId(), State.TRAINING, s.modelId(), null, trainX.size(), classes.size(), skipped, 0,
                    null, null, s.createdAt(), null);
            update(s);
            if (classes.size() < 2 || trainX.size() < 10) {
                throw new IllegalArgumentException("dataset " + r.datasetId() + " has " + trainX.size()
                        + " labeled image frames in " + classes.size() + " classes; training needs at least 10 in 2 classes");
            }
            CnnEmbeddingTrainer.Options o = CnnEmbeddingTrainer.Options.defaults();
            o = new CnnEmbeddingTrainer.Options(r.embeddingDim() == null ? o.embeddingDim() : r.embeddingDim(),
                    r.epochs() == null ? o.epochs() : r.epochs(), o.batchSize(), o.learningRate(), o.seed());
            CnnEmbeddingTrainer.Trained trained = CnnEmbeddingTrainer.train(trainX,
                    trainY.stream().mapToInt(Integer::intValue).toArray(), classes.size(), channels, height, width, o);
            ModelRef ref = new ModelRef(s.modelId(), VERSION.format(Instant.now()));
            Path dir;
            try {
                dir = saved.save(ref, trained, settings);
            } catch (IOException | RuntimeException e) {
                trained.close();
                throw new IOException("cannot save the trained model " + ref + ": " + e.getMessage(), e);
            }
            LOG.infof("training job %s: %s saved to %s", s.id(), ref, dir);
            models.register(new TrainedEmbedder(ref, trained, settings));
            s = new Status(s.id(), s.datasetId(), State.EMBEDDING, s.modelId(), ref.version(), s.labeledFrames(), s.classes(),
                    skipped, 0, trained.finalLoss(), null, s.createdAt(), null);
            update(s);
            int embedded = 0;
            for (int start = 0; start < frames.size(); start += 256) {
                int end = Math.min(frames.size(), start + 256);
                float[][] vectors = trained.embed(pixels.subList(start, end), 256);
                List<VectorRecord> rows = new ArrayList<>();
                List<CompletableFuture<Void>> acks = new ArrayList<>();
                for (int i = start; i < end; i++) {
                    CatalogFrame f = frames.get(i);
                    rows.add(new VectorRecord(f.frameId(), ref.storeVersion(), f.datasetId(), f.split(), f.label(), null,
                            f.label() != null, f.labelerId(), vectors[i - start]));
                }
                stores.get().upsert(rows);
                for (VectorRecord row : rows) {
                    acks.add(events.computed(row.datasetId(), row.frameId(), ref.modelId(), ref.version(), row.vector().length,
                            "training-job:" + s.id()));
                }
                CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                embedded += rows.size();
                update(s = new Status(s.id(), s.datasetId(), State.EMBEDDING, s.modelId(), s.modelVersion(), s.labeledFrames(),
                        s.classes(), skipped, embedded, s.finalLoss(), null, s.createdAt(), null));
            }
            update(new Status(s.id(), s.datasetId(), State.SUCCEEDED, s.modelId(), s.modelVersion(), s.labeledFrames(),
                    s.classes(), skipped, embedded, s.finalLoss(), "re-embedded " + embedded + " frames as " + ref,
                    s.createdAt(), Instant.now()));
            LOG.infof("training job %s: %s trained on %d frames, %d frames re-embedded", s.id(), ref, s.labeledFrames(), embedded);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.errorf(e, "training job %s failed", s.id());
            update(new Status(s.id(), s.datasetId(), State.FAILED, s.modelId(), s.modelVersion(), s.labeledFrames(),
                    s.classes(), s.skippedFrames(), s.embeddedFrames(), s.finalLoss(), e.getMessage(), s.createdAt(), Instant.now()));
        }
    }

    private static Status with(Status s, State state, String message) {
        return new Status(s.id(), s.datasetId(), state, s.modelId(), s.modelVersion(), s.labeledFrames(), s.classes(),
                s.skippedFrames(), s.embeddedFrames(), s.finalLoss(), message, s.createdAt(), s.finishedAt());
    }
}
