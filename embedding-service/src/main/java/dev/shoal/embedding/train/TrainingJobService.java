package dev.shoal.embedding.train;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.shoal.embedding.catalog.EmbeddingFailureRepository;
import dev.shoal.embedding.catalog.FrameCatalogRepository;
import dev.shoal.embedding.catalog.FrameCatalogRepository.CatalogFrame;
import dev.shoal.embedding.config.EmbeddingConfig;
import dev.shoal.embedding.domain.EmbeddingException;
import dev.shoal.embedding.domain.FrameContent;
import dev.shoal.embedding.domain.ModelRef;
import dev.shoal.embedding.service.EmbedderRegistry;
import dev.shoal.embedding.service.EmbeddingPipeline;
import dev.shoal.embedding.service.ImageEmbedder;
import dev.shoal.embedding.store.VectorStore;
import dev.shoal.proto.Inputs;
import dev.shoal.proto.ingest.v1.Modality;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * Jobs that (re)compute a dataset's vectors from the frame catalog, one at a time on their own thread, in the order
 * they were asked for; their status is kept in memory.
 * <ul>
 * <li><b>Training</b> ({@link Kind#TRAIN}): takes a dataset's labeled image frames (the latest label of each frame, or
 * of one label set), fetches and decodes them, trains {@link CnnEmbeddingTrainer}'s CNN, registers it as a new model
 * version ({@code modelId@yyyyMMdd'T'HHmmss}) that from then on embeds the dataset's new image frames, and re-embeds
 * every image frame of the dataset with it, frames that failed before included. Each trained model is saved under
 * {@code shoal.embedding.trained-models-dir} ({@link TrainedModelRepository}) before it is registered, and every
 * saved model is registered again at start, so its model version survives a restart.</li>
 * <li><b>Re-embedding</b> ({@link Kind#RE_EMBED}): every frame of a dataset (or only those without a vector or with a
 * recorded failure) through the pipeline again, with one model or with the model the stream would use.</li>
 * </ul>
 * Vectors go to the store with one {@code EmbeddingComputed} each (through {@link EmbeddingPipeline#reembedAsync}),
 * and a frame that gets one loses its recorded failure.
 */
@ApplicationScoped
public class TrainingJobService {

    private static final Logger LOG = Logger.getLogger(TrainingJobService.class);
    private static final DateTimeFormatter VERSION = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);
    /** Frames a job has in the pipeline at once. */
    private static final int WINDOW = 256;
    /** Frames per store lookup when looking for frames without a vector. */
    private static final int LOOKUP = 1000;

    /** What to train. Nulls take the defaults; {@code labelSet} null = each frame's latest label, whatever its set. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Request(@JsonAlias("datasetId") String datasetId, @JsonAlias("modelId") String modelId,
                          Integer epochs, @JsonAlias("embeddingDim") Integer embeddingDim, Integer width, Integer height,
                          @JsonAlias("channelOrder") String channelOrder, @JsonAlias("labelSet") String labelSet) {
    }

    public enum Kind { TRAIN, RE_EMBED }

    public enum State {
        QUEUED, LOADING, TRAINING, EMBEDDING, SUCCEEDED, FAILED;

        public boolean done() {
            return this == SUCCEEDED || this == FAILED;
        }
    }

    /**
     * A job's status as the REST API shows it. {@code trigger}: {@code api}, or {@code auto: } and why the service
     * started it. {@code modelId} and {@code modelVersion}: the model the job trained or embeds with.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Status(String id, Kind kind, String datasetId, State state, String trigger, String labelSet,
                         String modelId, String modelVersion, int labeledFrames, int classes, int skippedFrames,
                         int framesToEmbed, int embeddedFrames, int failedFrames, Float finalLoss, String message,
                         Instant createdAt, Instant finishedAt) {
    }

    /** A job as it runs. */
    private static final class Job {
        final String id = UUID.randomUUID().toString();
        final Kind kind;
        final String datasetId;
        final String trigger;
        final Instant createdAt = Instant.now();
        State state = State.QUEUED;
        String labelSet;
        String modelId;
        String modelVersion;
        int labeled;
        int classes;
        int skipped;
        int toEmbed;
        int embedded;
        int failed;
        Float finalLoss;
        String message;
        Instant finishedAt;

        Job(Kind kind, String datasetId, String trigger) {
            this.kind = kind;
            this.datasetId = datasetId;
            this.trigger = trigger;
        }

        synchronized Status status() {
            ModelRef model = modelVersion == null ? null : ModelRef.parse(modelVersion);
            return new Status(id, kind, datasetId, state, trigger, labelSet, model == null ? modelId : model.modelId(),
                    model == null ? null : model.version(), labeled, classes,
                    skipped, toEmbed, embedded, failed, finalLoss, message, createdAt, finishedAt);
        }

        synchronized void state(State s) {
            state = s;
        }

        /** One frame through the pipeline: stored (true), not this model's content (false), or failed (null). */
        synchronized void counted(Boolean stored) {
            if (stored == null) {
                failed++;
            } else if (stored) {
                embedded++;
            } else {
                skipped++;
            }
        }

        synchronized void finish(State s, String why) {
            state = s;
            message = why;
            finishedAt = Instant.now();
        }
    }

    @Inject
    FrameCatalogRepository catalog;

    @Inject
    EmbeddingFailureRepository failures;

    @Inject
    EmbeddingPipeline pipeline;

    @Inject
    EmbedderRegistry models;

    /** Resolved lazily: the store's producer lives in {@code dev.shoal.embedding.store} (chosen by configuration). */
    @Inject
    Instance<VectorStore> stores;

    @Inject
    EmbeddingConfig config;

    private TrainedModelRepository saved;

    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "training-job");
        t.setDaemon(true);
        return t;
    });

    /** Registers the models earlier runs trained and saved, each for the dataset it was trained on. */
    void start(@Observes StartupEvent ev) {
        saved = new TrainedModelRepository(Path.of(config.trainedModelsDir()));
        try {
            TrainedModelRepository.Loaded found = saved.loadAll();
            for (TrainedEmbedder model : found.models()) {
                models.registerTrained(model.datasetId(), model);
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
            throw new InvalidRequest("body", "is required: a JSON object with dataset_id");
        }
        reject("dataset_id", Inputs.idProblem(r.datasetId()));
        if (r.modelId() != null && !r.modelId().isEmpty()) {
            reject("model_id", Inputs.idProblem(r.modelId()));
        }
        range("epochs", r.epochs(), 1, MAX_EPOCHS);
        range("embedding_dim", r.embeddingDim(), MIN_EMBEDDING_DIM, MAX_EMBEDDING_DIM);
        range("width", r.width(), MIN_SIDE, MAX_SIDE);
        range("height", r.height(), MIN_SIDE, MAX_SIDE);
        if (r.channelOrder() != null && !List.of("GRAY", "RGB", "BGR").contains(r.channelOrder().toUpperCase(java.util.Locale.ROOT))) {
            throw new InvalidRequest("channel_order", "must be GRAY, RGB or BGR, was '" + Inputs.abbreviate(r.channelOrder()) + "'");
        }
        if (!catalog.hasDataset(r.datasetId())) {
            throw new InvalidRequest("dataset_id", "'" + r.datasetId() + "' has no frames in the frame catalog (unknown dataset)");
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

    /** Told when a job is queued (before it can start) and when it ended (succeeded or failed). */
    public interface Listener {
        default void queued(Status status) {
        }

        default void done(Status status) {
        }
    }

    private static final Listener NOBODY = new Listener() {
    };

    /** Queues a training job asked for through the API, once its request is {@linkplain #validate valid}. */
    public Status start(Request request) {
        validate(request);
        return start(request, "api", NOBODY);
    }

    /**
     * Queues a training job.
     *
     * @param trigger who asked and why ({@code api}, {@code auto: ...})
     */
    public Status start(Request request, String trigger, Listener listener) {
        if (request == null || request.datasetId() == null || request.datasetId().isBlank()) {
            throw new IllegalArgumentException("dataset_id is required");
        }
        Job job = new Job(Kind.TRAIN, request.datasetId(), trigger);
        job.modelId = request.modelId() == null || request.modelId().isBlank()
                ? TrainedModelRepository.DEFAULT_MODEL_PREFIX + request.datasetId() : request.modelId();
        job.labelSet = request.labelSet();
        return submit(job, () -> train(job, request), listener);
    }

    /**
     * Queues a re-embedding of a dataset's frames.
     *
     * @param model       the model to embed with, or null for the model the stream uses for each frame's content
     * @param onlyMissing only frames without a vector of that model, or with a recorded failure
     */
    public Status reEmbed(String datasetId, EmbedderRegistry.Loaded model, boolean onlyMissing, String trigger) {
        Job job = new Job(Kind.RE_EMBED, datasetId, trigger);
        if (model != null) {
            job.modelId = model.embedder().model().modelId();
            job.modelVersion = model.embedder().model().storeVersion();
        }
        return submit(job, () -> reEmbed(job, model, onlyMissing), NOBODY);
    }

    private Status submit(Job job, Runnable work, Listener listener) {
        jobs.put(job.id, job);
        try {
            listener.queued(job.status());
        } catch (RuntimeException e) {
            jobs.remove(job.id);
            throw e;
        }
        runner.submit(() -> {
            try {
                work.run();
            } finally {
                try {
                    listener.done(job.status());
                } catch (RuntimeException e) {
                    LOG.errorf(e, "job %s: its completion could not be recorded", job.id);
                }
            }
        });
        return job.status();
    }

    public Optional<Status> status(String id) {
        return Optional.ofNullable(jobs.get(id)).map(Job::status);
    }

    /** The newest job of this kind for a dataset, if any since start. */
    public Optional<Status> latest(String datasetId, Kind kind) {
        return jobs.values().stream().filter(j -> j.kind == kind && j.datasetId.equals(datasetId)).map(Job::status)
                .max(Comparator.comparing(Status::createdAt));
    }

    /** Whether a job of this kind for the dataset is queued or running. */
    public boolean active(String datasetId, Kind kind) {
        return jobs.values().stream().anyMatch(j -> j.kind == kind && j.datasetId.equals(datasetId) && !j.status().state().done());
    }

    private void train(Job job, Request r) {
        int width = r.width() == null ? 28 : r.width();
        int height = r.height() == null ? 28 : r.height();
        String order = r.channelOrder() == null ? "GRAY" : r.channelOrder().toUpperCase(Locale.ROOT);
        int channels = order.equals("GRAY") ? 1 : 3;
        ImageEmbedder.Settings settings = new ImageEmbedder.Settings("trained", "pytorch", "cpu", width, height, order,
                channels == 1 ? new float[]{0f} : new float[]{0f, 0f, 0f}, channels == 1 ? new float[]{1f} : new float[]{1f, 1f, 1f},
                null, true);
        try {
            job.state(State.LOADING);
            List<CatalogFrame> frames = r.labelSet() == null ? catalog.dataset(r.datasetId())
                    : catalog.dataset(r.datasetId(), r.labelSet());
            List<CatalogFrame> images = frames.stream().filter(f -> f.modalityValue() != Modality.MODALITY_TEXT).toList();
            List<CatalogFrame> labeled = new ArrayList<>();
            List<float[]> pixels = new ArrayList<>();
            int skipped = 0;
            for (CatalogFrame f : images) {
                if (f.label() == null) {
                    continue;
                }
                try {
                    FrameContent c = pipeline.fetcher().fetch(f.uris().get(0), Modality.MODALITY_IMAGE);
                    pixels.add(ImageEmbedder.pixels(((FrameContent.Image) c).image(), settings));
                    labeled.add(f);
                } catch (EmbeddingException e) {
                    skipped++;
                }
            }
            List<String> classes = new ArrayList<>(new TreeSet<>(labeled.stream().map(CatalogFrame::label).toList()));
            int[] y = labeled.stream().mapToInt(f -> classes.indexOf(f.label())).toArray();
            synchronized (job) {
                job.state = State.TRAINING;
                job.labeled = labeled.size();
                job.classes = classes.size();
                job.skipped = skipped;
            }
            if (classes.size() < 2 || labeled.size() < 10) {
                throw new IllegalArgumentException("dataset " + r.datasetId() + " has " + labeled.size()
                        + " labeled image frames in " + classes.size() + " classes"
                        + (r.labelSet() == null ? "" : " of label set " + r.labelSet())
                        + "; training needs at least 10 in 2 classes");
            }
            CnnEmbeddingTrainer.Options o = CnnEmbeddingTrainer.Options.defaults();
            o = new CnnEmbeddingTrainer.Options(r.embeddingDim() == null ? o.embeddingDim() : r.embeddingDim(),
                    r.epochs() == null ? o.epochs() : r.epochs(), o.batchSize(), o.learningRate(), o.seed());
            CnnEmbeddingTrainer.Trained trained = CnnEmbeddingTrainer.train(pixels, y, classes.size(), channels, height,
                    width, o);
            pixels.clear();
            ModelRef ref = new ModelRef(job.modelId, VERSION.format(Instant.now()));
            Path dir;
            try {
                dir = saved.save(ref, r.datasetId(), trained, settings);
            } catch (IOException | RuntimeException e) {
                trained.close();
                throw new IOException("cannot save the trained model " + ref + ": " + e.getMessage(), e);
            }
            LOG.infof("training job %s: %s saved to %s", job.id, ref, dir);
            EmbedderRegistry.Loaded model = models.registerTrained(r.datasetId(),
                    new TrainedEmbedder(ref, r.datasetId(), trained, settings));
            synchronized (job) {
                job.modelVersion = ref.storeVersion();
                job.finalLoss = trained.finalLoss();
            }
            embed(job, images, model);
            Status s = job.status();
            job.finish(State.SUCCEEDED, "trained on " + s.labeledFrames() + " labeled frames in " + s.classes()
                    + " classes; re-embedded " + s.embeddedFrames() + " image frames as " + ref
                    + (s.failedFrames() == 0 ? "" : ", " + s.failedFrames() + " failed (GET /v1/datasets/"
                    + r.datasetId() + "/embedding-state)"));
            LOG.infof("training job %s: %s trained on %d frames, %d frames re-embedded, %d failed", job.id, ref,
                    s.labeledFrames(), s.embeddedFrames(), s.failedFrames());
        } catch (Exception e) {
            failed(job, e);
        }
    }

    private void reEmbed(Job job, EmbedderRegistry.Loaded model, boolean onlyMissing) {
        try {
            job.state(State.LOADING);
            List<CatalogFrame> frames = catalog.dataset(job.datasetId);
            if (model != null) {
                // a text model embeds no frame declared an image, an image model none declared text
                Modality other = model.embedder().accepts(new FrameContent.Text("")) ? Modality.MODALITY_IMAGE
                        : Modality.MODALITY_TEXT;
                frames = frames.stream().filter(f -> f.modalityValue() != other).toList();
            }
            if (onlyMissing) {
                frames = missing(job.datasetId, frames, model);
            }
            embed(job, frames, model);
            Status s = job.status();
            job.finish(State.SUCCEEDED, "re-embedded " + s.embeddedFrames() + " of " + s.framesToEmbed() + " frames"
                    + (model == null ? "" : " with " + model.embedder().model())
                    + (s.failedFrames() == 0 ? "" : ", " + s.failedFrames() + " failed (GET /v1/datasets/"
                    + job.datasetId + "/embedding-state)"));
            LOG.infof("re-embed job %s: %s", job.id, job.status().message());
        } catch (Exception e) {
            failed(job, e);
        }
    }

    private void failed(Job job, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        LOG.errorf(e, "%s job %s failed", job.kind, job.id);
        job.finish(State.FAILED, e.getMessage());
    }

    /** Frames through the pipeline again, at most {@link #WINDOW} at once; counted as they complete. */
    private void embed(Job job, List<CatalogFrame> frames, EmbedderRegistry.Loaded model) throws InterruptedException {
        synchronized (job) {
            job.state = State.EMBEDDING;
            job.toEmbed = frames.size();
        }
        Semaphore window = new Semaphore(WINDOW);
        String correlationId = job.kind.name().toLowerCase(Locale.ROOT).replace('_', '-') + "-job:" + job.id;
        for (CatalogFrame f : frames) {
            window.acquire();
            pipeline.reembedAsync(f.toFrame(), model, correlationId).whenComplete((stored, e) -> {
                job.counted(e == null ? stored : null);
                window.release();
            });
        }
        window.acquire(WINDOW);
    }

    /**
     * The frames that hold no vector of the model that would embed them ({@code model}, or the stream's models for
     * the frame's modality and dataset), and those with a recorded failure.
     */
    private List<CatalogFrame> missing(String datasetId, List<CatalogFrame> frames, EmbedderRegistry.Loaded model) {
        Set<String> failed = failures.frameIds(datasetId);
        Map<String, List<String>> byVersion = new HashMap<>();
        for (CatalogFrame f : frames) {
            List<String> versions = model != null ? List.of(model.embedder().model().storeVersion())
                    : models.versionsFor(f.modalityValue(), datasetId);
            for (String v : versions) {
                byVersion.computeIfAbsent(v, x -> new ArrayList<>()).add(f.frameId());
            }
        }
        Set<String> stored = new HashSet<>();
        byVersion.forEach((version, ids) -> {
            for (int i = 0; i < ids.size(); i += LOOKUP) {
                stored.addAll(stores.get().scalars(version, ids.subList(i, Math.min(ids.size(), i + LOOKUP))).keySet());
            }
        });
        return frames.stream().filter(f -> failed.contains(f.frameId()) || !stored.contains(f.frameId())).toList();
    }
}
