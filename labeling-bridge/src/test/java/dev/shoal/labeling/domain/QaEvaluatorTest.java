package dev.shoal.labeling.domain;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QaEvaluatorTest {

    private static CampaignFrame frame(String id, String gold) {
        return new CampaignFrame(id, "t", List.of("file:///" + id), gold);
    }

    private static QaEvaluator.Given says(String frame, String annotator, String cls) {
        return new QaEvaluator.Given(frame, annotator, Answer.ofClass(cls));
    }

    @Test
    void majorityVoteWithGoldScoringBelowTheOverlapThreshold() {
        List<CampaignFrame> frames = List.of(frame("f1", null), frame("f2", "cat"));
        List<QaEvaluator.Given> answers = List.of(
                says("f1", "a", "dog"), says("f1", "b", "dog"), says("f1", "c", "cat"),
                says("f2", "a", "cat"), says("f2", "b", "cat"), says("f2", "c", "dog"));
        QaEvaluator.Outcome out = QaEvaluator.evaluate(new QaEvaluator.Input("classification", List.of("cat", "dog"), frames,
                answers, 10, 0));
        assertEquals("majority", out.method());
        Map<String, QaEvaluator.FrameConsensus> byFrame = out.frames().stream()
                .collect(Collectors.toMap(QaEvaluator.FrameConsensus::frameId, Function.identity()));
        assertEquals("dog", byFrame.get("f1").consensus().className());
        assertEquals(2.0 / 3, byFrame.get("f1").confidence(), 1e-12);
        Map<String, QaEvaluator.AnnotatorQa> qa = out.annotators().stream()
                .collect(Collectors.toMap(QaEvaluator.AnnotatorQa::annotatorId, Function.identity()));
        assertEquals(0.0, qa.get("c").agreement(), 1e-12);
        assertEquals(1, qa.get("c").goldTotal());
        assertEquals(0, qa.get("c").goldCorrect());
        assertEquals(1, qa.get("a").goldCorrect());
        assertTrue(qa.get("c").accepted(), "min gold accuracy 0 keeps everyone");
    }

    @Test
    void annotatorsFailingGoldAreRejectedAndDawidSkeneTakesOverWithEnoughOverlap() {
        List<CampaignFrame> frames = new ArrayList<>();
        List<QaEvaluator.Given> answers = new ArrayList<>();
        frames.add(frame("gold", "cat"));
        answers.add(says("gold", "a", "cat"));
        answers.add(says("gold", "b", "cat"));
        answers.add(says("gold", "spam", "dog"));
        for (int i = 0; i < 5; i++) {
            String f = "f" + i;
            frames.add(frame(f, null));
            String truth = i % 2 == 0 ? "cat" : "dog";
            answers.add(says(f, "a", truth));
            answers.add(says(f, "b", truth));
            answers.add(says(f, "spam", "dog"));
        }
        QaEvaluator.Outcome out = QaEvaluator.evaluate(new QaEvaluator.Input("classification", List.of("cat", "dog"), frames,
                answers, 3, 0.5));
        assertEquals("dawid_skene", out.method());
        QaEvaluator.AnnotatorQa spam = out.annotators().stream().filter(a -> a.annotatorId().equals("spam")).findFirst().orElseThrow();
        assertFalse(spam.accepted());
        for (QaEvaluator.FrameConsensus f : out.frames()) {
            assertTrue(f.accepted().stream().noneMatch(g -> g.annotatorId().equals("spam")), "spam answers are not accepted");
        }
        assertEquals("cat", out.frames().stream().filter(f -> f.frameId().equals("f0")).findFirst().orElseThrow().consensus().className());
    }

    @Test
    void boxesTakeTheBestAnnotatorsAnswer() {
        List<CampaignFrame> frames = List.of(frame("g", "car"), frame("f", null));
        Answer car = new Answer(null, List.of(new Answer.BoxValue("car", 1, 2, 3, 4)), List.of());
        Answer person = new Answer(null, List.of(new Answer.BoxValue("person", 1, 2, 3, 4)), List.of());
        List<QaEvaluator.Given> answers = List.of(
                new QaEvaluator.Given("g", "good", car), new QaEvaluator.Given("g", "bad", person),
                new QaEvaluator.Given("f", "good", car), new QaEvaluator.Given("f", "bad", person));
        QaEvaluator.Outcome out = QaEvaluator.evaluate(new QaEvaluator.Input("boxes", List.of("car", "person"), frames, answers, 3, 0));
        QaEvaluator.FrameConsensus f = out.frames().stream().filter(x -> x.frameId().equals("f")).findFirst().orElseThrow();
        assertEquals(car, f.consensus());
        assertEquals("best_annotator", f.method());
        assertEquals(0.5, f.confidence(), 1e-12);
    }
}
