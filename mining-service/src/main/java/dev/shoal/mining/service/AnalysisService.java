package dev.shoal.mining.service;

import dev.shoal.mining.config.MiningConfig;
import dev.shoal.mining.domain.Analysis;
import dev.shoal.mining.domain.AnalysisKind;
import dev.shoal.mining.domain.AnalysisRequest;
import dev.shoal.mining.domain.DataProgress;
import dev.shoal.mining.store.AnalysisRepository;
import dev.shoal.mining.store.EmbeddingRepository;
import dev.shoal.mining.store.ReadModelRepository;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Starts analyses as jobs on a worker executor. The input fingerprint is dataset + label set + model version +
 * embedding version + kinds + the dataset's data watermark + what upstream held: a second request for the same
 * inputs gets the existing job (waiting, queued, running or done) instead of a new one; any new data moves the
 * watermark. A request asks ingest-service and embedding-service what they hold of its inputs; with freshness
 * {@code wait} (the default) the job waits ({@code waiting_for_data}, bounded) until the read model has seen it.
 */
@ApplicationScoped
public class AnalysisService {

    @Inject
    AnalysisRepository analyses;

    @Inject
    ReadModelRepository readModel;

    @Inject
    EmbeddingRepository embeddings;

    @Inject
    AnalysisRunner runner;

    @Inject
    MiningConfig config;

    @Inject
    DataFreshness freshnessService;

    private ExecutorService workers;
    /** Threads on which analyses wait for their data before they take a worker. */
    private ExecutorService waiters;

    void onStart(@Observes StartupEvent ev) {
        workers = Executors.newFixedThreadPool(config.workerThreads(), r -> {
            Thread t = new Thread(r, "mining-worker");
            t.setDaemon(true);
            return t;
        });
        waiters = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "mining-data-wait");
            t.setDaemon(true);
            return t;
        });
        resumeUnfinished();
    }

    /** Jobs a previous process left queued or running run again (at start); returns how many. */
    public int resumeUnfinished() {
        List<Analysis> unfinished = analyses.unfinished();
        for (Analysis a : unfinished) {
            schedule(a);
        }
        return unfinished.size();
    }

    /** Waits for the analysis's data on a waiter thread, then runs it on a worker. */
    private void schedule(Analysis a) {
        waiters.submit(() -> {
            DataProgress data;
            try {
                data = runner.awaitData(a);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();   // shutting down: the job stays unfinished and resumes at the next start
                return;
            } catch (RuntimeException e) {
                analyses.fail(a.id(), "waiting for data failed: " + e.getMessage());
                return;
            }
            workers.submit(() -> runner.run(a, data));
        });
    }

    void onStop(@Observes ShutdownEvent ev) throws InterruptedException {
        waiters.shutdownNow();
        workers.shutdownNow();
        workers.awaitTermination(10, TimeUnit.SECONDS);
    }

    public Analysis start(AnalysisRequest r) {
        Analysis a = validate(r);
        Analysis live = analyses.createOrGet(a);
        if (!live.reused()) {
            schedule(live);
        }
        return live;
    }

    public Analysis get(String id) {
        return analyses.get(id).orElseThrow(() -> new NotFound("no analysis " + id));
    }

    Analysis validate(AnalysisRequest r) {
        if (r == null) {
            throw new BadRequest("body", "a JSON body is required");
        }
        String dataset = required(r.datasetId(), "dataset_id");
        String labelSet = required(r.labelSet(), "label_set");
        BadRequest.optionalId("dataset_id", dataset);
        BadRequest.optionalId("label_set", labelSet);
        BadRequest.optionalId("model_id", r.modelId());
        BadRequest.optionalId("model_version", r.modelVersion());
        BadRequest.optionalId("embedding_model_id", r.embeddingModelId());
        BadRequest.optionalId("embedding_model_version", r.embeddingModelVersion());
        if (r.kinds() == null || r.kinds().isEmpty()) {
            throw new BadRequest("kinds", "at least one of " + wireKinds() + " is required");
        }
        TreeSet<String> kinds = new TreeSet<>();
        for (int i = 0; i < r.kinds().size(); i++) {
            String k = r.kinds().get(i);
            int idx = i;
            AnalysisKind.fromWire(k)
                    .orElseThrow(() -> new BadRequest("kinds[" + idx + "]", "unknown kind '" + dev.shoal.proto.Inputs.abbreviate(k) + "'; one of " + wireKinds()));
            kinds.add(k);
        }
        String modelId = blankToEmpty(r.modelId());
        String modelVersion = blankToEmpty(r.modelVersion());
        if (!modelVersion.isEmpty() && modelId.isEmpty()) {
            throw new BadRequest("model_id", "model_id is required with model_version");
        }
        if (!modelId.isEmpty() && modelVersion.isEmpty()) {
            throw new BadRequest("model_version", "model_version is required with model_id");
        }
        String embVersion = blankToEmpty(r.embeddingModelVersion());
        String embId = blankToEmpty(r.embeddingModelId());
        if (!embVersion.isEmpty() && embId.isEmpty()) {
            List<String> ids = embeddings.modelIdsForVersion(dataset, embVersion);
            if (ids.size() != 1) {
                throw new BadRequest("embedding_model_id", ids.isEmpty()
                        ? "no embeddings of version " + embVersion + " in dataset " + dataset
                        + " have reached mining yet: name embedding_model_id to wait for them"
                        : "several embedding models have version " + embVersion + " (" + ids + "): name one");
            }
            embId = ids.get(0);
        }
        boolean needsEmbedding = kinds.stream().map(k -> AnalysisKind.fromWire(k).orElseThrow())
                .anyMatch(k -> k.needsVectors() || (k == AnalysisKind.LABEL_ERRORS && modelVersion.isEmpty()));
        if (needsEmbedding && embVersion.isEmpty()) {
            throw new BadRequest("embedding_model_version", "required for " + kinds
                    + " (label_errors without a model uses out-of-sample probabilities from embeddings)");
        }
        if (kinds.contains(AnalysisKind.DETECTION.wire()) && modelVersion.isEmpty()) {
            throw new BadRequest("model_version", "detection compares labeled boxes with a model's predicted boxes");
        }
        for (int i = 0; i < r.kinds().size(); i++) {
            String k = r.kinds().get(i);
            int idx = i;
            runner.unavailable(AnalysisKind.fromWire(k).orElseThrow()).ifPresent(why -> {
                throw new BadRequest("kinds[" + idx + "]", k + " is " + why);
            });
        }
        String freshness = r.freshness() == null || r.freshness().isBlank() ? DataProgress.WAIT : r.freshness().trim();
        if (!freshness.equals(DataProgress.WAIT) && !freshness.equals(DataProgress.NOW)) {
            throw new BadRequest("freshness", "freshness must be 'wait' or 'now', not '" + freshness + "'");
        }

        // what upstream holds now is what the analysis waits for; what mining already has decides only when
        // upstream cannot be asked
        DataFreshness.Inputs inputs = new DataFreshness.Inputs(dataset, labelSet, modelId, modelVersion, embId, embVersion);
        Map<String, Long> expected = Map.of();
        String note = null;
        try {
            Optional<Map<String, Long>> upstream = freshnessService.expected(inputs);
            if (upstream.isEmpty() && readModel.watermark(dataset) == 0) {
                throw new BadRequest("dataset_id", "unknown dataset " + dataset);
            }
            expected = upstream.orElse(Map.of());
        } catch (UpstreamCounts.Unavailable e) {
            note = "what upstream holds is unknown (" + e.getMessage() + "): ran on what mining had";
        }
        Map<String, Long> seen = freshnessService.seen(inputs, expected);
        boolean caughtUp = DataProgress.caughtUp(expected, seen);
        requireData(expected.isEmpty() || caughtUp, expected, inputs);

        long watermark = readModel.watermark(dataset);
        String fingerprint = sha256(String.join("\u0000", dataset, labelSet, modelId, modelVersion, embId, embVersion,
                String.join(",", kinds), Long.toString(watermark), freshness, expected.toString()));
        boolean waits = freshness.equals(DataProgress.WAIT) && !caughtUp;
        if (!caughtUp && !waits) {
            note = "freshness=now: ran before mining had seen everything upstream held";
        }
        DataProgress data = new DataProgress(freshness, expected, seen, !caughtUp && !waits, note);
        return new Analysis(UUID.randomUUID().toString(), fingerprint, dataset, labelSet, modelId, modelVersion, embId,
                embVersion, new ArrayList<>(kinds), watermark, waits ? Analysis.WAITING_FOR_DATA : Analysis.QUEUED,
                waits ? DataProgress.percentSeen(expected, seen) : 0, null, null, null, null, false, data);
    }

    /**
     * Refuses a request for data that neither mining nor upstream holds. When mining has caught up (or upstream
     * cannot be asked) mining's read model decides; otherwise upstream's counts do, and the analysis waits for them.
     */
    private void requireData(boolean miningDecides, Map<String, Long> expected, DataFreshness.Inputs in) {
        if (miningDecides) {
            if (readModel.watermark(in.datasetId()) == 0) {
                throw new BadRequest("dataset_id", "nothing is known about dataset " + in.datasetId());
            }
            if (!readModel.hasLabels(in.datasetId(), in.labelSet())) {
                throw new BadRequest("label_set", "dataset " + in.datasetId() + " has no labels in label set " + in.labelSet());
            }
            if (in.hasModel() && !readModel.hasInferences(in.datasetId(), in.modelId(), in.modelVersion())) {
                throw new BadRequest("model_version", "dataset " + in.datasetId() + " has no inferences of "
                        + "model_id " + in.modelId() + " model_version " + in.modelVersion());
            }
            if (in.hasEmbedding() && embeddings.sources(in.datasetId(), in.embeddingModelId(), in.embeddingModelVersion()).isEmpty()) {
                throw new BadRequest("embedding_model_version", "no embeddings of embedding_model_id " + in.embeddingModelId()
                        + " embedding_model_version " + in.embeddingModelVersion() + " in dataset " + in.datasetId());
            }
            return;
        }
        if (expected.getOrDefault(DataFreshness.LABELS + in.labelSet(), 0L) == 0) {
            throw new BadRequest("label_set", "dataset " + in.datasetId() + " has no labels in label set " + in.labelSet());
        }
        if (in.hasModel() && expected.getOrDefault(DataFreshness.INFERENCES + in.modelId() + ":" + in.modelVersion(), 0L) == 0) {
            throw new BadRequest("model_version", "dataset " + in.datasetId() + " has no inferences of "
                    + "model_id " + in.modelId() + " model_version " + in.modelVersion());
        }
        if (in.hasEmbedding() && expected.getOrDefault(DataFreshness.VECTORS + in.embeddingModelId() + ":"
                + in.embeddingModelVersion(), 0L) == 0) {
            throw new BadRequest("embedding_model_version", "no embeddings of embedding_model_id " + in.embeddingModelId()
                    + " embedding_model_version " + in.embeddingModelVersion() + " in dataset " + in.datasetId());
        }
    }

    private static String wireKinds() {
        return java.util.Arrays.stream(AnalysisKind.values()).map(AnalysisKind::wire).toList().toString();
    }

    private static String required(String v, String field) {
        if (v == null || v.isBlank()) {
            throw new BadRequest(field, field + " is required");
        }
        return v;
    }

    private static String blankToEmpty(String s) {
        return s == null ? "" : s.trim();
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
