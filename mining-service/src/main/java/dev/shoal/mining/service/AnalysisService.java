package dev.shoal.mining.service;

import dev.shoal.mining.config.MiningConfig;
import dev.shoal.mining.domain.Analysis;
import dev.shoal.mining.domain.AnalysisKind;
import dev.shoal.mining.domain.AnalysisRequest;
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
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Starts analyses as jobs on a worker executor. The input fingerprint is dataset + label set + model version +
 * embedding version + kinds + the dataset's data watermark: a second request for the same inputs gets the
 * existing job (queued, running or done) instead of a new one; any new data moves the watermark.
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

    private ExecutorService workers;

    void onStart(@Observes StartupEvent ev) {
        workers = Executors.newFixedThreadPool(config.workerThreads(), r -> {
            Thread t = new Thread(r, "mining-worker");
            t.setDaemon(true);
            return t;
        });
        resumeUnfinished();
    }

    /** Jobs a previous process left queued or running run again (at start); returns how many. */
    public int resumeUnfinished() {
        List<Analysis> unfinished = analyses.unfinished();
        for (Analysis a : unfinished) {
            workers.submit(() -> runner.run(a));
        }
        return unfinished.size();
    }

    void onStop(@Observes ShutdownEvent ev) throws InterruptedException {
        workers.shutdownNow();
        workers.awaitTermination(10, TimeUnit.SECONDS);
    }

    public Analysis start(AnalysisRequest r) {
        Analysis a = validate(r);
        Analysis live = analyses.createOrGet(a);
        if (!live.reused()) {
            workers.submit(() -> runner.run(live));
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
        if (!embVersion.isEmpty() && embeddings.sources(dataset, embId, embVersion).isEmpty()) {
            throw new BadRequest("embedding_model_version", "no embeddings of " + embId + ":" + embVersion
                    + " in dataset " + dataset);
        }
        for (int i = 0; i < r.kinds().size(); i++) {
            String k = r.kinds().get(i);
            int idx = i;
            runner.unavailable(AnalysisKind.fromWire(k).orElseThrow()).ifPresent(why -> {
                throw new BadRequest("kinds[" + idx + "]", k + " is " + why);
            });
        }
        long watermark = readModel.watermark(dataset);
        if (watermark == 0) {
            throw new BadRequest("dataset_id", "nothing is known about dataset " + dataset);
        }
        if (!readModel.hasLabels(dataset, labelSet)) {
            throw new BadRequest("label_set", "dataset " + dataset + " has no labels in label set " + labelSet);
        }
        if (!modelVersion.isEmpty() && !readModel.hasInferences(dataset, modelId, modelVersion)) {
            throw new BadRequest("model_version", "dataset " + dataset + " has no inferences of " + modelId + ":" + modelVersion);
        }
        String fingerprint = sha256(String.join("\u0000", dataset, labelSet, modelId, modelVersion, embId, embVersion,
                String.join(",", kinds), Long.toString(watermark)));
        return new Analysis(UUID.randomUUID().toString(), fingerprint, dataset, labelSet, modelId, modelVersion, embId,
                embVersion, new ArrayList<>(kinds), watermark, Analysis.QUEUED, 0, null, null, null, null, false);
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
