package dev.shoal.embedding.train;

import java.time.Duration;
import java.time.Instant;

/**
 * When the service trains an image model for a dataset by itself (plain Java, no framework). A dataset qualifies when
 * auto-training is on, no image model is configured, it has image frames, and its label set with the most labeled
 * image frames holds at least {@code minLabeledFrames} of them in at least {@code minClasses} classes. Then:
 * <ul>
 * <li>one job at a time per dataset;</li>
 * <li>at most one job per dataset and label set, unless that label set has grown to {@code retrainGrowth} times the
 * labeled frames the last one trained on; a failed (or, after a restart, lost) job may be tried again;</li>
 * <li>never two jobs of one dataset within {@code cooldown} of each other;</li>
 * <li>a dataset that a model trained through {@code POST /v1/training-jobs} already embeds, and that auto-training
 * never trained, is left to whoever trained it.</li>
 * </ul>
 */
public final class AutoTrainingRule {

    private AutoTrainingRule() {
    }

    /** What a dataset's auto-training is doing; {@link #READY}: a job should start now. */
    public enum State {
        DISABLED, IMAGE_MODEL_CONFIGURED, NO_IMAGE_FRAMES, WAITING_FOR_LABELS, READY, TRAINING, TRAINED, COOLDOWN
    }

    /** The settings of {@code shoal.embedding.auto-train.*}. */
    public record Settings(boolean enabled, int minLabeledFrames, int minClasses, double retrainGrowth, Duration cooldown) {
    }

    /** The label set that would be trained on, and its counts. */
    public record LabelSet(String name, int labeledFrames, int classes) {
    }

    /** A previous auto-started job; {@code failed}: it failed or was lost (the service stopped while it ran). */
    public record Previous(int labeledFrames, boolean failed, String modelVersion, String message, Instant startedAt) {
    }

    /**
     * What is known about a dataset. {@code best}: its label set with the most labeled image frames, or null;
     * {@code previousForSet}: the last auto job on that label set; {@code previousAny}: the last auto job of the
     * dataset; {@code trainedModel}: the model version that embeds its images now, or null.
     */
    public record Facts(boolean imageModelConfigured, boolean hasImageFrames, boolean jobActive, LabelSet best,
                        Previous previousForSet, Previous previousAny, String trainedModel) {
    }

    /** The verdict; {@code labelsNeeded}: more labeled frames before the next job (0 when none are needed). */
    public record Decision(State state, LabelSet labelSet, int labelsNeeded, String modelVersion, String message) {
    }

    public static Decision decide(Facts f, Settings s, Instant now) {
        LabelSet best = f.best() == null ? new LabelSet(null, 0, 0) : f.best();
        if (!s.enabled()) {
            return new Decision(State.DISABLED, best, 0, f.trainedModel(), "shoal.embedding.auto-train.enabled=false");
        }
        if (f.imageModelConfigured()) {
            return new Decision(State.IMAGE_MODEL_CONFIGURED, best, 0, null, "shoal.embedding.image.model embeds the images");
        }
        if (!f.hasImageFrames()) {
            return new Decision(State.NO_IMAGE_FRAMES, best, 0, f.trainedModel(), "no image frames seen");
        }
        if (f.jobActive()) {
            return new Decision(State.TRAINING, best, 0, f.trainedModel(), "a training job of the dataset is queued or running");
        }
        if (best.labeledFrames() < s.minLabeledFrames() || best.classes() < s.minClasses()) {
            int needed = Math.max(0, s.minLabeledFrames() - best.labeledFrames());
            return new Decision(State.WAITING_FOR_LABELS, best, needed, f.trainedModel(), "waiting for "
                    + (needed > 0 ? needed + " more labeled image frames (" + s.minLabeledFrames() + " in one label set)"
                    : "labels in " + s.minClasses() + " classes (" + best.classes() + " so far)"));
        }
        Previous last = f.previousForSet();
        if (last == null && f.previousAny() == null && f.trainedModel() != null) {
            return new Decision(State.TRAINED, best, 0, f.trainedModel(),
                    "a model trained through POST /v1/training-jobs embeds the images; auto-training leaves it");
        }
        if (last != null && !last.failed()) {
            int next = (int) Math.ceil(last.labeledFrames() * s.retrainGrowth());
            if (best.labeledFrames() < next) {
                return new Decision(State.TRAINED, best, next - best.labeledFrames(), f.trainedModel(),
                        "trained on " + last.labeledFrames() + " labeled frames of label set '" + best.name()
                                + "'; trains again when it holds " + next);
            }
        }
        Previous latest = f.previousAny();
        if (latest != null && now.isBefore(latest.startedAt().plus(s.cooldown()))) {
            return new Decision(State.COOLDOWN, best, 0, f.trainedModel(), "the next job may start at "
                    + latest.startedAt().plus(s.cooldown()) + (latest.failed() ? "; the last one failed: " + latest.message() : ""));
        }
        return new Decision(State.READY, best, 0, f.trainedModel(), "label set '" + best.name() + "' has the most labeled"
                + " image frames: " + best.labeledFrames() + " in " + best.classes() + " classes (auto-training starts at "
                + s.minLabeledFrames() + ")");
    }
}
