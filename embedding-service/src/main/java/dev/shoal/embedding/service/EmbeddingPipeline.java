package dev.shoal.embedding.service;

import dev.shoal.embedding.catalog.FrameCatalogRepository;
import dev.shoal.embedding.catalog.FrameCatalogRepository.CatalogFrame;
import dev.shoal.embedding.config.EmbeddingConfig;
import dev.shoal.embedding.domain.EmbeddingException;
import dev.shoal.embedding.domain.FrameContent;
import dev.shoal.embedding.domain.ModelRef;
import dev.shoal.embedding.messaging.EmbeddingEventProducer;
import dev.shoal.embedding.store.VectorRecord;
import dev.shoal.embedding.store.VectorStore;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.Split;
import dev.shoal.proto.ingest.v1.UserEmbedding;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Frame in, vector out: fetch and decode the content (a pool of fetch threads), embed it in a micro-batch
 * ({@link EmbedderRegistry}), write the vector with a batched upsert (a second {@link MicroBatcher} in front of the
 * {@link VectorStore}), publish {@code EmbeddingComputed}. Any failure publishes {@code EmbeddingFailed} with the
 * reason and is rethrown, so the consumer sends the record to the dead-letter topic; other frames go on.
 */
@ApplicationScoped
public class EmbeddingPipeline {

    /** One vector to store and announce. */
    record Write(VectorRecord record, ModelRef model, String correlationId) {
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

    private ContentFetcher fetcher;
    private ExecutorService fetchPool;
    private MicroBatcher<Write, CompletableFuture<Void>> writer;

    void start(@Observes StartupEvent ev) {
        fetcher = new ContentFetcher(FetchPolicy.from(config.fetch()));
        fetchPool = Executors.newFixedThreadPool(config.fetchThreads(), r -> {
            Thread t = new Thread(r, "embedding-fetch");
            t.setDaemon(true);
            return t;
        });
        writer = new MicroBatcher<>("vector-writer", config.batch().maxSize() * 4, config.batch().maxWait(), this::write);
    }

    void stop(@Observes ShutdownEvent ev) {
        if (writer != null) {
            writer.close();
            fetchPool.shutdown();
        }
    }

    public ContentFetcher fetcher() {
        return fetcher;
    }

    /**
     * Embeds one frame and waits until its vector is stored and its event acknowledged.
     *
     * @throws EmbeddingException with the reason, after {@code EmbeddingFailed} was published
     */
    public void embedFrame(Frame frame, String correlationId) {
        catalog.upsertFrame(frame.getDatasetId(), frame.getId(), frame.getUrisList(), frame.getModality().name(),
                split(frame.getSplit()));
        CatalogFrame known = catalog.find(frame.getDatasetId(), frame.getId()).orElse(null);
        CompletableFuture<Void> done = CompletableFuture
                .supplyAsync(() -> fetchFirst(frame), fetchPool)
                .thenCompose(fetched -> {
                    EmbedderRegistry.Loaded model = models.forContent(fetched.content());
                    return models.embed(model, fetched.content())
                            .thenApply(vector -> new Write(new VectorRecord(frame.getId(), model.embedder().model().storeVersion(),
                                    frame.getDatasetId(), split(frame.getSplit()), known == null ? null : known.label(), null,
                                    known != null && known.label() != null, known == null ? null : known.labelerId(), vector),
                                    model.embedder().model(), correlationId));
                })
                .thenCompose(writer::submit)
                .thenCompose(ack -> ack);
        await(done, frame.getDatasetId(), frame.getId(), null, correlationId);
    }

    /** Stores a user-supplied vector as it is (no model runs) and announces it. */
    public void storeSupplied(UserEmbedding e, String correlationId) {
        ModelRef model = new ModelRef(e.getModelId(), e.getModelVersion());
        float[] vector = new float[e.getVectorCount()];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = e.getVector(i);
        }
        CatalogFrame known = catalog.find(e.getDatasetId(), e.getFrameId()).orElse(null);
        VectorRecord record = new VectorRecord(e.getFrameId(), model.storeVersion(), e.getDatasetId(),
                known == null ? null : known.split(), known == null ? null : known.label(), null,
                known != null && known.label() != null, known == null ? null : known.labelerId(), vector);
        await(writer.submit(new Write(record, model, correlationId)).thenCompose(ack -> ack), e.getDatasetId(),
                e.getFrameId(), model, correlationId);
    }

    private void await(CompletableFuture<Void> done, String datasetId, String frameId, ModelRef model, String correlationId) {
        try {
            done.get(config.fetch().readTimeout().toMillis() + 120_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException ex) {
            throw failed(ex.getCause() == null ? ex : ex.getCause(), datasetId, frameId, model, correlationId);
        } catch (TimeoutException ex) {
            throw failed(new EmbeddingException(null, "timed out waiting for the embedding"), datasetId, frameId, model, correlationId);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw failed(new EmbeddingException(null, "interrupted"), datasetId, frameId, model, correlationId);
        }
    }

    private EmbeddingException failed(Throwable cause, String datasetId, String frameId, ModelRef model, String correlationId) {
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        EmbeddingException e = cause instanceof EmbeddingException ee ? ee
                : new EmbeddingException(null, cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
        try {
            events.failed(datasetId, frameId, model == null ? null : model.modelId(), model == null ? null : model.version(),
                    e.uri(), e.getMessage(), correlationId).get(30, TimeUnit.SECONDS);
        } catch (Exception publish) {
            e.addSuppressed(publish);
        }
        return e;
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

    /** The write stage: one batched upsert, then one EmbeddingComputed per row. */
    private List<CompletableFuture<Void>> write(List<Write> batch) {
        List<VectorRecord> rows = new ArrayList<>(batch.size());
        for (Write w : batch) {
            rows.add(w.record());
        }
        List<CompletableFuture<Void>> acks = new ArrayList<>(batch.size());
        try {
            stores.get().upsert(rows);
        } catch (IllegalArgumentException batchRefused) {
            // one bad row (e.g. a supplied vector of the wrong dimension) must not fail its neighbours: row by row
            for (Write w : batch) {
                try {
                    stores.get().upsert(List.of(w.record()));
                    acks.add(announce(w));
                } catch (IllegalArgumentException e) {
                    acks.add(CompletableFuture.failedFuture(new EmbeddingException(null, "vector refused by the store: "
                            + e.getMessage(), e)));
                }
            }
            return acks;
        }
        for (Write w : batch) {
            acks.add(announce(w));
        }
        return acks;
    }

    private CompletableFuture<Void> announce(Write w) {
        {
            VectorRecord r = w.record();
            return events.computed(r.datasetId(), r.frameId(), w.model().modelId(), w.model().version(),
                    r.vector().length, w.correlationId());
        }
    }

    /** {@code SPLIT_TRAIN} → {@code train}; unspecified → null. */
    public static String split(Split split) {
        if (split == null || split == Split.SPLIT_UNSPECIFIED || split == Split.UNRECOGNIZED) {
            return null;
        }
        return split.name().substring("SPLIT_".length()).toLowerCase(Locale.ROOT);
    }
}
