package dev.shoal.embedding.service;

import dev.shoal.embedding.catalog.EmbeddingFailureRepository;
import dev.shoal.embedding.catalog.EmbeddingFailureRepository.Failure;
import dev.shoal.embedding.catalog.FrameCatalogRepository;
import dev.shoal.embedding.catalog.FrameCatalogRepository.CurrentFields;
import dev.shoal.embedding.catalog.FrameCatalogRepository.FrameKey;
import dev.shoal.embedding.catalog.FrameCatalogRepository.FrameRow;
import dev.shoal.embedding.config.EmbeddingConfig;
import dev.shoal.embedding.domain.EmbeddingException;
import dev.shoal.embedding.domain.FrameContent;
import dev.shoal.embedding.domain.ModelRef;
import dev.shoal.embedding.domain.NoModelException;
import dev.shoal.embedding.messaging.EmbeddingEventProducer;
import dev.shoal.embedding.store.FieldUpdate;
import dev.shoal.embedding.store.VectorRecord;
import dev.shoal.embedding.store.VectorStore;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.Modality;
import dev.shoal.proto.ingest.v1.Split;
import dev.shoal.proto.ingest.v1.UserEmbedding;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Frame in, vector out, in micro-batched stages: <b>prepare</b> (one catalog statement per batch upserts the frames and
 * says which were seen before; for those, one store lookup per model version finds the vectors already stored),
 * <b>fetch</b> and decode (a pool of threads), <b>embed</b> ({@link EmbedderRegistry}'s batcher in front of the model),
 * <b>write</b> (one catalog read of the frames' current split, label and prediction, one batched upsert, one re-read
 * that catches a label that arrived meanwhile), then one {@code EmbeddingComputed} per vector. No thread blocks
 * per frame: each stage completes the frame's future. Any failure publishes {@code EmbeddingFailed} with the reason,
 * records the frame's failure ({@link EmbeddingFailureRepository}, deleted when the frame gets a vector) and fails the
 * frame's future, so the consumer sends the record to the dead-letter topic; other frames go on.
 *
 * <p><b>Models.</b> Text is embedded by the text model; images by the configured image model, else by the newest
 * model the training job trained on the frame's dataset. An image frame with neither fails with
 * {@link NoModelException}: logged at WARN once per dataset, and the dataset is handed to auto-training.
 *
 * <p><b>Replays.</b> Each vector carries the fingerprint of the content it was computed from ({@link #fingerprint}:
 * the modality and the URIs, so a {@code data:} URI's content itself). A frame whose stored vector, under the model
 * that would embed it, has the same fingerprint is neither fetched, embedded nor announced again; the same frame
 * arriving while its first delivery is still in flight waits for that one instead. A changed frame (other URIs) is
 * embedded and announced; it waits for an in-flight older version of itself, so the newer vector is written last.
 * Content that changes behind an unchanged {@code file://} or {@code http(s)://} URI is not detected: publish
 * the frame under a new (e.g. versioned) URI.
 */
@ApplicationScoped
public class EmbeddingPipeline {

    private static final Logger LOG = Logger.getLogger(EmbeddingPipeline.class);

    /** One vector to store and announce; {@code computed}: by a model from the frame's content (not user-supplied). */
    record Write(VectorRecord record, ModelRef model, String correlationId, boolean computed) {
    }

    /** A frame entering the prepare stage, with its fingerprint. */
    private record ToPrepare(Frame frame, String fingerprint) {
    }

    /** The prepare stage's answer: the stored row computed from the same content, or null when there is none. */
    private record Prepared(VectorRecord sameContent) {
    }

    /** A frame being processed; deliveries of the same content wait for {@code done} instead of redoing it. */
    private static final class InFlight {
        final String fingerprint;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        InFlight previous;

        InFlight(String fingerprint) {
            this.fingerprint = fingerprint;
        }
    }

    @Inject
    EmbeddingConfig config;

    @Inject
    EmbedderRegistry models;

    /** Resolved lazily: the store's producer lives in {@code dev.shoal.embedding.store} (chosen by configuration). */
    @Inject
    Instance<VectorStore> stores;

    @Inject
    EmbeddingEventProducer events;

    @Inject
    FrameCatalogRepository catalog;

    @Inject
    EmbeddingFailureRepository failures;

    @Inject
    AutoTrainTriggers autoTrain;

    private ContentFetcher fetcher;
    private ExecutorService fetchPool;
    private MicroBatcher<ToPrepare, Prepared> preparer;
    private MicroBatcher<Write, CompletableFuture<Void>> writer;
    private MicroBatcher<Failure, Void> failureRecorder;
    /** Datasets whose missing image model was logged (once each, at WARN). */
    private final Set<String> warnedNoModel = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, InFlight> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong replaysSkipped = new AtomicLong();

    void start(@Observes StartupEvent ev) {
        fetcher = new ContentFetcher(FetchPolicy.from(config.fetch()));
        fetchPool = Executors.newFixedThreadPool(config.fetchThreads(), r -> {
            Thread t = new Thread(r, "embedding-fetch");
            t.setDaemon(true);
            return t;
        });
        preparer = new MicroBatcher<>("frame-prepare", config.batch().maxSize() * 4, config.batch().maxWait(), this::prepare);
        writer = new MicroBatcher<>("vector-writer", config.batch().maxSize() * 4, config.batch().maxWait(), this::write);
        failureRecorder = new MicroBatcher<>("failure-recorder", config.batch().maxSize() * 4, config.batch().maxWait(),
                this::recordFailures);
    }

    void stop(@Observes ShutdownEvent ev) {
        if (writer != null) {
            preparer.close();
            writer.close();
            failureRecorder.close();
            fetchPool.shutdown();
        }
    }

    public ContentFetcher fetcher() {
        return fetcher;
    }

    /** Deliveries recognised as replays of content already embedded (for logs and tests). */
    public long replaysSkipped() {
        return replaysSkipped.get();
    }

    /**
     * The fingerprint of a frame's content as the pipeline sees it: SHA-256 over the modality and the URIs in order.
     * Stored with each vector ({@link VectorRecord#contentHash()}).
     */
    public static String fingerprint(Frame frame) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(frame.getModality().name().getBytes(StandardCharsets.UTF_8));
            for (String uri : frame.getUrisList()) {
                sha.update((byte) '\n');
                sha.update(uri.getBytes(StandardCharsets.UTF_8));
            }
            return "sha256:" + HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Embeds one frame without blocking the caller. The future completes once the vector is stored and its event
     * acknowledged, or once the frame is recognised as a replay of content already embedded (then nothing is
     * published). It fails with an {@link EmbeddingException} carrying the reason, after {@code EmbeddingFailed} was
     * published (or its publication failed: then that failure is attached as suppressed).
     */
    public CompletableFuture<Void> embedFrameAsync(Frame frame, String correlationId) {
        String fp = fingerprint(frame);
        InFlight mine = new InFlight(fp);
        InFlight[] same = {null};
        inFlight.compute(frame.getId(), (id, current) -> {
            if (current != null && current.fingerprint.equals(fp)) {
                same[0] = current;
                return current;
            }
            mine.previous = current;
            return mine;
        });
        if (same[0] != null) {
            return awaitReplay(same[0], frame);
        }
        CompletableFuture<Void> work;
        try {
            CompletableFuture<Void> before = mine.previous == null ? CompletableFuture.completedFuture(null)
                    : mine.previous.done.handle((x, e) -> null);
            work = before
                    .thenCompose(x -> preparer.submit(new ToPrepare(frame, fp)))
                    .thenCompose(prepared -> prepared.sameContent() != null ? replayed(frame, prepared.sameContent())
                            : embedAndWrite(frame, fp, correlationId, null));
        } catch (RuntimeException e) {
            work = CompletableFuture.failedFuture(e);
        }
        return recordingFailure(frame, reportingFailure(work, "the embedding", frame.getDatasetId(), frame.getId(), null,
                correlationId))
                .whenComplete((x, e) -> {
                    if (e == null) {
                        mine.done.complete(null);
                    } else {
                        mine.done.completeExceptionally(unwrap(e));
                    }
                    inFlight.remove(frame.getId(), mine);
                });
    }

    /**
     * Embeds a frame the catalog holds again, without looking for a stored vector of the same content (the re-embed
     * and training jobs): with {@code model}, or with the model the stream would use when null. Failures are
     * published and recorded as the stream's are; stored vectors clear the frame's recorded failure.
     *
     * @return true once the vector is stored and announced; false when {@code model} does not embed this content
     */
    public CompletableFuture<Boolean> reembedAsync(Frame frame, EmbedderRegistry.Loaded model, String correlationId) {
        CompletableFuture<Boolean> accepted = new CompletableFuture<>();
        CompletableFuture<Void> work;
        try {
            work = embedAndWrite(frame, fingerprint(frame), correlationId, model == null ? null : content -> {
                if (!model.embedder().accepts(content)) {
                    accepted.complete(false);
                    return null;
                }
                return model;
            });
        } catch (RuntimeException e) {
            work = CompletableFuture.failedFuture(e);
        }
        return recordingFailure(frame, reportingFailure(work, "the embedding", frame.getDatasetId(), frame.getId(), null,
                correlationId)).thenApply(x -> accepted.getNow(true));
    }

    /**
     * {@code work}, given up after {@link #timeoutMillis()}; when it fails, {@code EmbeddingFailed} is published first
     * and the result fails with the reason as an {@link EmbeddingException}.
     */
    private CompletableFuture<Void> reportingFailure(CompletableFuture<Void> work, String waitingFor, String datasetId,
                                                     String frameId, ModelRef model, String correlationId) {
        return work.orTimeout(timeoutMillis(), TimeUnit.MILLISECONDS)
                .handle((x, e) -> e)
                .thenCompose(e -> {
                    if (e == null) {
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    Throwable cause = unwrap(e);
                    EmbeddingException reason = cause instanceof TimeoutException
                            ? new EmbeddingException(null, "timed out waiting for " + waitingFor) : asEmbeddingException(cause);
                    return publishFailure(reason, datasetId, frameId, model, correlationId).thenApply(failure -> {
                        throw failure;
                    });
                });
    }

    /** How long one frame may take end to end before it is given up: a fetch's read timeout plus two minutes. */
    private long timeoutMillis() {
        return config.fetch().readTimeout().toMillis() + 120_000;
    }

    /** Another delivery of the same content is in flight: its outcome is this one's; nothing more is published. */
    private CompletableFuture<Void> awaitReplay(InFlight first, Frame frame) {
        replaysSkipped.incrementAndGet();
        return first.done.copy().orTimeout(timeoutMillis(), TimeUnit.MILLISECONDS).handle((x, e) -> {
            if (e == null) {
                return null;
            }
            Throwable cause = unwrap(e);
            throw cause instanceof TimeoutException
                    ? new EmbeddingException(null, "timed out waiting for another delivery of frame " + frame.getId())
                    : new EmbeddingException(null, "a delivery of the same frame " + frame.getId() + " failed: "
                            + cause.getMessage(), cause);
        });
    }

    /** The stored vector came from the same content: no model call, no event; only a changed split is written. */
    private CompletableFuture<Void> replayed(Frame frame, VectorRecord stored) {
        replaysSkipped.incrementAndGet();
        String split = split(frame.getSplit());
        if (split != null && !split.equals(stored.split())) {
            stores.get().updateFields(frame.getDatasetId(), frame.getId(), FieldUpdate.split(split));
        }
        LOG.debugf("frame %s: %s already holds a vector of the same content, not embedded again", frame.getId(),
                stored.modelVersion());
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Fetches, embeds and writes a frame. {@code choose} picks the model for the fetched content (null: the model the
     * stream uses for the frame's dataset); when it gives null, the frame is left alone.
     */
    private CompletableFuture<Void> embedAndWrite(Frame frame, String fp, String correlationId,
                                                  Function<FrameContent, EmbedderRegistry.Loaded> choose) {
        return CompletableFuture
                .supplyAsync(() -> fetchFirst(frame), fetchPool)
                .thenCompose(fetched -> {
                    EmbedderRegistry.Loaded model = choose == null ? models.forContent(fetched.content(), frame.getDatasetId())
                            : choose.apply(fetched.content());
                    if (model == null) {
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    return models.embed(model, fetched.content())
                            .thenApply(vector -> new Write(new VectorRecord(frame.getId(), model.embedder().model().storeVersion(),
                                    frame.getDatasetId(), split(frame.getSplit()), null, null, false, null, vector, fp),
                                    model.embedder().model(), correlationId, true))
                            .thenCompose(writer::submit)
                            .thenCompose(ack -> ack);
                });
    }

    /**
     * {@code work}; when it fails, the frame's failure is recorded first (and a missing image model logged, once per
     * dataset) and the result fails with the same exception.
     */
    private CompletableFuture<Void> recordingFailure(Frame frame, CompletableFuture<Void> work) {
        return work.handle((x, e) -> e).thenCompose(e -> {
            if (e == null) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            Throwable cause = unwrap(e);
            boolean noModel = cause instanceof NoModelException;
            String modality = noModel ? ((NoModelException) cause).modality().name() : frame.getModality().name();
            Failure f = new Failure(frame.getDatasetId(), frame.getId(), modality, null, noModel,
                    String.valueOf(cause.getMessage()));
            return failureRecorder.submit(f).handle((y, recordError) -> {
                if (recordError != null) {
                    cause.addSuppressed(unwrap(recordError));
                }
                throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
            });
        });
    }

    /** The failure-recorder stage: one statement per batch; a dataset's first frame without an image model is logged. */
    private List<Void> recordFailures(List<Failure> batch) {
        failures.record(batch);
        for (Failure f : batch) {
            if (f.noModel() && Modality.MODALITY_IMAGE.name().equals(f.modality())) {
                autoTrain.touch(f.datasetId());
                if (warnedNoModel.add(f.datasetId())) {
                    LOG.warnf("dataset %s: image frames are not embedded, %s. They are recorded and embedded once a model"
                            + " is there (GET /v1/datasets/%s/embedding-state)", f.datasetId(), f.reason(), f.datasetId());
                }
            }
        }
        return java.util.Collections.nCopies(batch.size(), null);
    }

    /**
     * The prepare stage: one catalog statement for the batch; for frames the catalog held before, one store lookup
     * per model version that may have embedded them, looking for a vector with the same fingerprint.
     */
    private List<Prepared> prepare(List<ToPrepare> batch) {
        List<FrameRow> rows = new ArrayList<>(batch.size());
        for (ToPrepare p : batch) {
            Frame f = p.frame();
            rows.add(new FrameRow(f.getDatasetId(), f.getId(), f.getUrisList(), f.getModality().name(), split(f.getSplit())));
        }
        Map<FrameKey, Boolean> seenBefore = catalog.upsertFrames(rows);
        Map<String, List<ToPrepare>> byVersion = new HashMap<>();
        for (ToPrepare p : batch) {
            if (Boolean.TRUE.equals(seenBefore.get(new FrameKey(p.frame().getDatasetId(), p.frame().getId())))) {
                for (String version : models.versionsFor(p.frame().getModality(), p.frame().getDatasetId())) {
                    byVersion.computeIfAbsent(version, v -> new ArrayList<>()).add(p);
                }
            }
        }
        Map<ToPrepare, VectorRecord> same = new HashMap<>();
        byVersion.forEach((version, frames) -> {
            Map<String, VectorRecord> stored = stores.get().scalars(version,
                    frames.stream().map(p -> p.frame().getId()).distinct().toList());
            for (ToPrepare p : frames) {
                VectorRecord r = stored.get(p.frame().getId());
                if (r != null && p.fingerprint().equals(r.contentHash())
                        && Objects.equals(r.datasetId(), p.frame().getDatasetId())) {
                    same.putIfAbsent(p, r);
                }
            }
        });
        List<Prepared> out = new ArrayList<>(batch.size());
        for (ToPrepare p : batch) {
            out.add(new Prepared(same.get(p)));
        }
        return out;
    }

    /**
     * Stores a user-supplied vector as it is (no model runs) and announces it, without blocking the caller. Fails with
     * an {@link EmbeddingException} (e.g. the store refused the vector) after {@code EmbeddingFailed} was published.
     */
    public CompletableFuture<Void> storeSuppliedAsync(UserEmbedding e, String correlationId) {
        ModelRef model = new ModelRef(e.getModelId(), e.getModelVersion());
        float[] vector = new float[e.getVectorCount()];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = e.getVector(i);
        }
        VectorRecord record = new VectorRecord(e.getFrameId(), model.storeVersion(), e.getDatasetId(), null, null, null,
                false, null, vector);
        return reportingFailure(writer.submit(new Write(record, model, correlationId, false)).thenCompose(ack -> ack), "the store",
                e.getDatasetId(), e.getFrameId(), model, correlationId);
    }

    /** The cause under any {@link CompletionException} / {@link ExecutionException} wrappers. */
    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static EmbeddingException asEmbeddingException(Throwable cause) {
        return cause instanceof EmbeddingException ee ? ee
                : new EmbeddingException(null, cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
    }

    /**
     * Publishes {@code EmbeddingFailed} for {@code e} (waiting at most 30 s for the broker); the future gives {@code e}
     * back, with a failed publication attached as suppressed. It never completes exceptionally.
     */
    private CompletableFuture<EmbeddingException> publishFailure(EmbeddingException e, String datasetId, String frameId,
                                                                 ModelRef model, String correlationId) {
        CompletableFuture<Void> published;
        try {
            published = events.failed(datasetId, frameId, model == null ? null : model.modelId(),
                    model == null ? null : model.version(), e.uri(), e.getMessage(), correlationId);
        } catch (RuntimeException publish) {
            published = CompletableFuture.failedFuture(publish);
        }
        return published.orTimeout(30, TimeUnit.SECONDS).handle((x, publish) -> {
            if (publish != null) {
                e.addSuppressed(unwrap(publish));
            }
            return e;
        });
    }

    private record Fetched(String uri, FrameContent content) {
    }

    private Fetched fetchFirst(Frame frame) {
        if (frame.getUrisCount() == 0) {
            throw new EmbeddingException(null, "frame " + frame.getId() + " has no URI");
        }
        EmbeddingException last = null;
        for (String uri : frame.getUrisList()) {
            try {
                return new Fetched(uri, fetcher.fetch(uri, frame.getModality()));
            } catch (EmbeddingException e) {
                last = e.uri() == null ? new EmbeddingException(uri, e.getMessage(), e) : e;
            }
        }
        throw last;
    }

    /**
     * The write stage: the frames' current split, label and prediction from the catalog (one statement), one
     * batched upsert, then one re-read: a label or prediction that reached the catalog after the first read found no
     * vector to update (its consumer runs {@link VectorStore#updateFields} on stored vectors only), so it is applied
     * here. Then one EmbeddingComputed per row.
     *
     * <p>The two catalog reads per batch are both needed. Without the first, every labeled frame would cost a
     * second store write (an {@code updateFields} after the upsert). Without the second, a label recorded between
     * the first read and the upsert is lost: {@link FrameFieldsService} found no vector to update then, and the
     * upsert writes the label read before it. The second read covers only the rows actually stored.
     */
    private List<CompletableFuture<Void>> write(List<Write> batch) {
        Set<FrameKey> keys = new LinkedHashSet<>();
        for (Write w : batch) {
            keys.add(new FrameKey(w.record().datasetId(), w.record().frameId()));
        }
        Map<FrameKey, CurrentFields> before = catalog.currentFields(keys);
        List<Write> rows = new ArrayList<>(batch.size());
        for (Write w : batch) {
            VectorRecord r = w.record();
            CurrentFields c = before.get(new FrameKey(r.datasetId(), r.frameId()));
            rows.add(new Write(withCatalogFields(r, c), w.model(), w.correlationId(), w.computed()));
        }
        List<CompletableFuture<Void>> acks = new ArrayList<>(rows.size());
        List<Write> stored = new ArrayList<>(rows.size());
        try {
            stores.get().upsert(rows.stream().map(Write::record).toList());
            stored.addAll(rows);
            rows.forEach(w -> acks.add(null));
        } catch (IllegalArgumentException batchRefused) {
            // one bad row (e.g. a supplied vector of the wrong dimension) must not fail its neighbours: row by row
            for (Write w : rows) {
                try {
                    stores.get().upsert(List.of(w.record()));
                    stored.add(w);
                    acks.add(null);
                } catch (IllegalArgumentException e) {
                    acks.add(CompletableFuture.failedFuture(new EmbeddingException(null, "vector refused by the store: "
                            + e.getMessage(), e)));
                }
            }
        }
        if (!stored.isEmpty()) {
            catchUpWithCatalog(stored, before);
            clearFailures(stored);
        }
        for (int i = 0, j = 0; i < rows.size(); i++) {
            if (acks.get(i) == null) {
                acks.set(i, announce(stored.get(j++)));
            }
        }
        return acks;
    }

    /** Frames that got a vector computed from their content are no longer failed. */
    private void clearFailures(List<Write> stored) {
        Set<FrameKey> computed = new LinkedHashSet<>();
        for (Write w : stored) {
            if (w.computed()) {
                computed.add(new FrameKey(w.record().datasetId(), w.record().frameId()));
            }
        }
        failures.clear(computed);
    }

    /** The catalog's label and prediction (and split, when the row has none) on a row about to be written. */
    private static VectorRecord withCatalogFields(VectorRecord r, CurrentFields c) {
        if (c == null) {
            return r;
        }
        return new VectorRecord(r.frameId(), r.modelVersion(), r.datasetId(), r.split() != null ? r.split() : c.split(),
                c.label(), c.prediction(), c.label() != null, c.labelerId(), r.vector(), r.contentHash());
    }

    /** Re-reads the catalog after the upsert; fields that changed since the first read are updated in the store. */
    private void catchUpWithCatalog(List<Write> stored, Map<FrameKey, CurrentFields> before) {
        Set<FrameKey> keys = new LinkedHashSet<>();
        for (Write w : stored) {
            keys.add(new FrameKey(w.record().datasetId(), w.record().frameId()));
        }
        Map<FrameKey, CurrentFields> now = catalog.currentFields(keys);
        for (FrameKey k : keys) {
            CurrentFields b = before.get(k);
            CurrentFields n = now.get(k);
            if (n == null || n.equals(b)) {
                continue;
            }
            boolean labelChanged = n.label() != null && (b == null || !Objects.equals(n.label(), b.label())
                    || !Objects.equals(n.labelerId(), b.labelerId()));
            boolean predictionChanged = n.prediction() != null && (b == null || !Objects.equals(n.prediction(), b.prediction()));
            FieldUpdate u = new FieldUpdate(null, labelChanged ? n.label() : null, labelChanged ? n.labelerId() : null,
                    predictionChanged ? n.prediction() : null);
            if (!u.isEmpty()) {
                stores.get().updateFields(k.datasetId(), k.frameId(), u);
            }
        }
    }

    private CompletableFuture<Void> announce(Write w) {
        VectorRecord r = w.record();
        return events.computed(r.datasetId(), r.frameId(), w.model().modelId(), w.model().version(),
                r.vector().length, w.correlationId());
    }

    /** {@code SPLIT_TRAIN} → {@code train}; unspecified → null. */
    public static String split(Split split) {
        if (split == null || split == Split.SPLIT_UNSPECIFIED || split == Split.UNRECOGNIZED) {
            return null;
        }
        return split.name().substring("SPLIT_".length()).toLowerCase(Locale.ROOT);
    }
}
