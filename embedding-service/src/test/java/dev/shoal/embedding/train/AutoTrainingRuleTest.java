package dev.shoal.embedding.train;

import dev.shoal.embedding.train.AutoTrainingRule.Decision;
import dev.shoal.embedding.train.AutoTrainingRule.Facts;
import dev.shoal.embedding.train.AutoTrainingRule.LabelSet;
import dev.shoal.embedding.train.AutoTrainingRule.Previous;
import dev.shoal.embedding.train.AutoTrainingRule.Settings;
import dev.shoal.embedding.train.AutoTrainingRule.State;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AutoTrainingRuleTest {

    static final Settings ON = new Settings(true, 200, 2, 2.0, Duration.ofHours(1));
    static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    static final LabelSet ENOUGH = new LabelSet("v1", 250, 10);

    static Facts facts(LabelSet best, Previous forSet, Previous any, String trainedModel) {
        return new Facts(false, true, false, best, forSet, any, trainedModel);
    }

    static Decision decide(Facts f) {
        return AutoTrainingRule.decide(f, ON, NOW);
    }

    @Test
    void a_dataset_with_enough_labeled_image_frames_in_two_classes_and_no_model_is_trained() {
        Decision d = decide(facts(ENOUGH, null, null, null));
        assertEquals(State.READY, d.state());
        assertEquals("v1", d.labelSet().name());
        assertTrue(d.message().contains("'v1' has the most labeled image frames: 250 in 10 classes"), d.message());
    }

    @Test
    void too_few_labels_or_classes_wait_and_say_how_many_more() {
        Decision few = decide(facts(new LabelSet("v1", 150, 3), null, null, null));
        assertEquals(State.WAITING_FOR_LABELS, few.state());
        assertEquals(50, few.labelsNeeded());
        Decision none = decide(facts(null, null, null, null));
        assertEquals(State.WAITING_FOR_LABELS, none.state());
        assertEquals(200, none.labelsNeeded());
        Decision oneClass = decide(facts(new LabelSet("v1", 300, 1), null, null, null));
        assertEquals(State.WAITING_FOR_LABELS, oneClass.state());
        assertEquals(0, oneClass.labelsNeeded());
        assertTrue(oneClass.message().contains("2 classes"), oneClass.message());
    }

    @Test
    void nothing_starts_when_switched_off_with_a_configured_image_model_without_image_frames_or_while_a_job_runs() {
        assertEquals(State.DISABLED, AutoTrainingRule.decide(facts(ENOUGH, null, null, null),
                new Settings(false, 200, 2, 2.0, Duration.ofHours(1)), NOW).state());
        assertEquals(State.IMAGE_MODEL_CONFIGURED, decide(new Facts(true, true, false, ENOUGH, null, null, null)).state());
        assertEquals(State.NO_IMAGE_FRAMES, decide(new Facts(false, false, false, ENOUGH, null, null, null)).state());
        assertEquals(State.TRAINING, decide(new Facts(false, true, true, ENOUGH, null, null, null)).state());
    }

    @Test
    void a_label_set_is_trained_again_only_once_it_has_grown_to_twice_its_labels_and_the_cooldown_passed() {
        Previous done = new Previous(250, false, "m@1", "ok", NOW.minus(Duration.ofHours(3)));
        Decision same = decide(facts(new LabelSet("v1", 499, 10), done, done, "m@1"));
        assertEquals(State.TRAINED, same.state());
        assertEquals(1, same.labelsNeeded());
        assertEquals("m@1", same.modelVersion());
        assertEquals(State.READY, decide(facts(new LabelSet("v1", 500, 10), done, done, "m@1")).state());

        Previous recent = new Previous(250, false, "m@1", "ok", NOW.minus(Duration.ofMinutes(10)));
        assertEquals(State.COOLDOWN, decide(facts(new LabelSet("v1", 500, 10), recent, recent, "m@1")).state());
    }

    @Test
    void a_failed_job_is_tried_again_after_the_cooldown_and_another_label_set_gets_its_own_job() {
        Previous failedRecently = new Previous(250, true, null, "boom", NOW.minus(Duration.ofMinutes(10)));
        Decision wait = decide(facts(ENOUGH, failedRecently, failedRecently, null));
        assertEquals(State.COOLDOWN, wait.state());
        assertTrue(wait.message().contains("boom"), wait.message());
        Previous failedLongAgo = new Previous(250, true, null, "boom", NOW.minus(Duration.ofHours(2)));
        assertEquals(State.READY, decide(facts(ENOUGH, failedLongAgo, failedLongAgo, null)).state());

        Previous otherSet = new Previous(300, false, "m@1", "ok", NOW.minus(Duration.ofHours(2)));
        assertEquals(State.READY, decide(facts(new LabelSet("v2", 250, 10), null, otherSet, "m@1")).state());
    }

    @Test
    void a_dataset_someone_trained_through_the_api_is_left_alone() {
        Decision d = decide(facts(ENOUGH, null, null, "shoal-cnn-ds@20260101T000000"));
        assertEquals(State.TRAINED, d.state());
        assertEquals("shoal-cnn-ds@20260101T000000", d.modelVersion());
    }
}
