package dev.shoal.embedding.service;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.shoal.embedding.catalog.EmbeddingFailureRepository;
import dev.shoal.embedding.catalog.FrameCatalogRepository;
import dev.shoal.embedding.config.EmbeddingConfig;
import dev.shoal.embedding.store.VectorStore;
import dev.shoal.embedding.train.AutoTrainingRule;
import dev.shoal.embedding.train.AutoTrainingService;
import dev.shoal.embedding.train.TrainingJobService;
import dev.shoal.proto.ingest.v1.Modality;
import dev.shoal.embedding.domain.ModelRef;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a dataset's embeddings stand: the frames the catalog has seen, the vectors each loaded model stored, the
 * frames that failed (and why, most frequent first), the frames still pending, and what auto-training is doing.
 */
@ApplicationScoped
public class EmbeddingStateService {

    /** Failure reasons shown. */
    static final int TOP_REASONS = 5;

    /** Vectors of one model version in the dataset; {@code current}: it embeds the dataset's new frames. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ModelVectors(String modelId, String modelVersion, long vectors, boolean current) {

        static ModelVectors of(String storeVersion, long vectors, boolean current) {
            ModelRef model = ModelRef.parse(storeVersion);
            return new ModelVectors(model.modelId(), model.version(), vectors, current);
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Reason(String reason, long frames) {
    }

    /** Auto-training of the dataset; {@code labelsNeeded}: more labeled image frames before its next job. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record AutoTraining(AutoTrainingRule.State state, String labelSet, int labeledFrames, int classes,
                               int minLabeledFrames, int labelsNeeded, String modelId, String modelVersion, String jobId,
                               String jobState,
                               String message) {
    }

    /**
     * {@code framesPending}: frames seen that hold no vector of the models that embed the dataset now and have no
     * recorded failure (on their way through the stream, or waiting for a job).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record State(String datasetId, long framesSeen, Map<String, Long> framesByModality, List<ModelVectors> vectors,
                        long framesFailed, long framesFailedWithoutModel, List<Reason> failureReasons, long framesPending,
                        Model imageModel, AutoTraining autoTraining) {
    }

    /** A model as the API names it: its id and version. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Model(String modelId, String modelVersion) {

        static Model of(ModelRef ref) {
            return new Model(ref.modelId(), ref.version());
        }
    }

    @Inject
    FrameCatalogRepository catalog;

    @Inject
    EmbeddingFailureRepository failures;

    @Inject
    EmbedderRegistry models;

    @Inject
    Instance<VectorStore> stores;

    @Inject
    AutoTrainingService autoTraining;

    @Inject
    TrainingJobService jobs;

    @Inject
    EmbeddingConfig config;

    /** The dataset's state, or empty when the catalog has seen none of its frames. */
    public Optional<State> state(String datasetId) {
        Map<String, Long> byModality = catalog.modalityCounts(datasetId);
        if (byModality.isEmpty()) {
            return Optional.empty();
        }
        long seen = byModality.values().stream().mapToLong(Long::longValue).sum();
        List<String> current = models.versionsFor(Modality.MODALITY_UNSPECIFIED, datasetId);
        List<ModelVectors> vectors = new ArrayList<>();
        long embedded = 0;
        for (String version : models.loadedVersions()) {
            long n = stores.get().count(datasetId, version);
            boolean isCurrent = current.contains(version);
            if (n > 0 || isCurrent) {
                vectors.add(ModelVectors.of(version, n, isCurrent));
            }
            if (isCurrent) {
                embedded += n;
            }
        }
        EmbeddingFailureRepository.Summary failed = failures.summary(datasetId, TOP_REASONS);
        List<Reason> reasons = failed.topReasons().entrySet().stream().map(e -> new Reason(e.getKey(), e.getValue())).toList();
        EmbedderRegistry.Loaded image = models.imageModel(datasetId);
        return Optional.of(new State(datasetId, seen, byModality, vectors, failed.frames(), failed.noModel(), reasons,
                Math.max(0, seen - failed.frames() - embedded),
                image == null ? null : Model.of(image.embedder().model()), autoTraining(datasetId)));
    }

    private AutoTraining autoTraining(String datasetId) {
        AutoTrainingRule.Decision d = autoTraining.decide(datasetId);
        Optional<TrainingJobService.Status> job = jobs.latest(datasetId, TrainingJobService.Kind.TRAIN);
        String jobId = job.map(TrainingJobService.Status::id)
                .or(() -> autoTraining.latestRun(datasetId).map(r -> r.jobId())).orElse(null);
        String jobState = job.map(s -> s.state().name())
                .or(() -> autoTraining.latestRun(datasetId).map(r -> r.state())).orElse(null);
        AutoTrainingRule.LabelSet set = d.labelSet();
        ModelRef model = d.modelVersion() == null ? null : ModelRef.parse(d.modelVersion());
        return new AutoTraining(d.state(), set.name(), set.labeledFrames(), set.classes(),
                config.autoTrain().minLabeledFrames(), d.labelsNeeded(), model == null ? null : model.modelId(),
                model == null ? null : model.version(), jobId, jobState, d.message());
    }
}
