package dev.shoal.embedding.train;

import dev.shoal.embedding.catalog.EmbeddingFailureRepository;
import dev.shoal.embedding.catalog.FrameCatalogRepository;
import dev.shoal.embedding.catalog.FrameCatalogRepository.LabelSetCount;
import dev.shoal.embedding.config.EmbeddingConfig;
import dev.shoal.embedding.service.AutoTrainTriggers;
import dev.shoal.embedding.service.EmbedderRegistry;
import dev.shoal.proto.ingest.v1.Modality;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Image embeddings without configuration: when no image model is configured, starts a training job for a dataset by
 * itself once it has enough labeled image frames ({@link AutoTrainingRule}, {@code shoal.embedding.auto-train.*}); the
 * job's model then embeds every image frame of the dataset, new ones included. Looks at the datasets whose labels
 * changed or whose image frames found no model ({@link AutoTrainTriggers}) every {@code check-interval}, and at every
 * dataset with image frames once after start. Also after start, frames that failed for want of a model that is now
 * loaded (a configured image model, the text model) are re-embedded.
 */
@ApplicationScoped
public class AutoTrainingService {

    private static final Logger LOG = Logger.getLogger(AutoTrainingService.class);

    @Inject
    EmbeddingConfig config;

    @Inject
    FrameCatalogRepository catalog;

    @Inject
    EmbeddingFailureRepository failures;

    @Inject
    AutoTrainingRepository runs;

    @Inject
    TrainingJobService jobs;

    @Inject
    EmbedderRegistry models;

    @Inject
    AutoTrainTriggers triggers;

    private ScheduledExecutorService timer;

    /** After the training jobs' start, which registers the models trained before. */
    void start(@Observes @Priority(Interceptor.Priority.LIBRARY_AFTER) StartupEvent ev) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "auto-train");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(100, config.autoTrain().checkInterval().toMillis());
        timer.schedule(this::afterStart, every, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent ev) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** Every dataset with image frames is looked at once; frames that failed for want of a model now loaded are retried. */
    private void afterStart() {
        try {
            catalog.datasetsWithImageFrames().forEach(triggers::touch);
            failures.datasetsWithoutModel(Modality.MODALITY_IMAGE.name()).forEach(triggers::touch);
            retryWhereModelIsLoaded(Modality.MODALITY_IMAGE, models.imageModel(null) != null);
            retryWhereModelIsLoaded(Modality.MODALITY_TEXT, models.versionsFor(Modality.MODALITY_TEXT, null).size() > 0);
        } catch (RuntimeException e) {
            LOG.errorf(e, "auto-training: the datasets could not be read");
        }
    }

    private void retryWhereModelIsLoaded(Modality modality, boolean loaded) {
        if (!loaded) {
            return;
        }
        for (String dataset : failures.datasetsWithoutModel(modality.name())) {
            TrainingJobService.Status s = jobs.reEmbed(dataset, null, true,
                    "auto: frames failed for want of a " + modality.name() + " model, which is loaded now");
            LOG.infof("dataset %s: frames without a model are embedded again (job %s)", dataset, s.id());
        }
    }

    private void check() {
        for (String dataset : triggers.drain()) {
            try {
                consider(dataset);
            } catch (RuntimeException e) {
                LOG.errorf(e, "auto-training: dataset %s could not be looked at", dataset);
                triggers.touch(dataset);
            }
        }
    }

    private void consider(String dataset) {
        AutoTrainingRule.Decision d = decide(dataset);
        switch (d.state()) {
            case READY -> train(dataset, d);
            // look again at the next check: the job may end, the cooldown may pass
            case TRAINING, COOLDOWN -> triggers.touch(dataset);
            default -> {
            }
        }
    }

    private void train(String dataset, AutoTrainingRule.Decision d) {
        AutoTrainingRule.LabelSet set = d.labelSet();
        TrainingJobService.Request r = new TrainingJobService.Request(dataset, null,
                config.autoTrain().epochs().orElse(null), null, null, null, null, set.name());
        TrainingJobService.Status s = jobs.start(r, "auto: " + d.message(), new TrainingJobService.Listener() {
            @Override
            public void queued(TrainingJobService.Status q) {
                runs.started(dataset, set.name(), set.labeledFrames(), set.classes(), q.id());
            }

            @Override
            public void done(TrainingJobService.Status done) {
                runs.finished(done.id(), done.state().name(), done.modelVersion(), done.message());
            }
        });
        LOG.infof("dataset %s: training job %s started by auto-training: %s", dataset, s.id(), d.message());
    }

    /** Where the dataset's auto-training stands (for {@code embedding-state}). */
    public AutoTrainingRule.Decision decide(String dataset) {
        EmbeddingConfig.AutoTrain a = config.autoTrain();
        AutoTrainingRule.Settings settings = new AutoTrainingRule.Settings(a.enabled(), a.minLabeledFrames(), a.minClasses(),
                a.retrainGrowth(), a.cooldown());
        boolean configured = models.imageModelConfigured();
        if (!a.enabled() || configured) {
            return AutoTrainingRule.decide(new AutoTrainingRule.Facts(configured, false, false, null, null, null,
                    trainedModel(dataset)), settings, Instant.now());
        }
        boolean images = catalog.modalityCounts(dataset).containsKey(Modality.MODALITY_IMAGE.name())
                || failures.anyWithoutModel(dataset, Modality.MODALITY_IMAGE.name());
        List<LabelSetCount> sets = catalog.labelSets(dataset);
        AutoTrainingRule.LabelSet best = sets.isEmpty() ? null
                : new AutoTrainingRule.LabelSet(sets.get(0).labelSet(), sets.get(0).labeledFrames(), sets.get(0).classes());
        boolean active = jobs.active(dataset, TrainingJobService.Kind.TRAIN);
        AutoTrainingRule.Previous forSet = best == null ? null
                : runs.forLabelSet(dataset, best.name()).map(this::previous).orElse(null);
        AutoTrainingRule.Previous any = runs.latest(dataset).map(this::previous).orElse(null);
        return AutoTrainingRule.decide(new AutoTrainingRule.Facts(false, images, active, best, forSet, any,
                trainedModel(dataset)), settings, Instant.now());
    }

    /** The latest auto-started job of a dataset, as recorded. */
    public Optional<AutoTrainingRepository.Run> latestRun(String dataset) {
        return runs.latest(dataset);
    }

    private String trainedModel(String dataset) {
        EmbedderRegistry.Loaded l = models.imageModel(dataset);
        return l == null ? null : l.embedder().model().storeVersion();
    }

    /** A recorded run; one that never finished and whose job this process does not run was lost in a restart. */
    private AutoTrainingRule.Previous previous(AutoTrainingRepository.Run r) {
        boolean lost = r.finishedAt() == null && jobs.status(r.jobId()).isEmpty();
        boolean failed = lost || TrainingJobService.State.FAILED.name().equals(r.state());
        return new AutoTrainingRule.Previous(r.labeledFrames(), failed, r.modelVersion(),
                lost ? "the service stopped while it ran" : r.message(), r.startedAt());
    }
}
