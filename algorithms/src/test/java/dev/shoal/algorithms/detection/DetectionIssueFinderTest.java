package dev.shoal.algorithms.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.algorithms.detection.DetectionIssueFinder.FrameResult;
import dev.shoal.algorithms.detection.DetectionIssueFinder.Issue;
import dev.shoal.algorithms.detection.DetectionIssueFinder.Type;
import java.util.List;
import org.junit.jupiter.api.Test;

class DetectionIssueFinderTest {

    static Box pred(double x1, double y1, double x2, double y2, int cls, double score) {
        return new Box(x1, y1, x2, y2, cls, score);
    }

    @Test
    void iouOfTwoHalfOverlappingSquaresIsOneThird() {
        // [0,10]x[0,10] and [5,15]x[0,10]: intersection 50, union 150
        assertEquals(1.0 / 3, BoxMatcher.iou(Box.label(0, 0, 10, 10, 0), Box.label(5, 0, 15, 10, 0)), 1e-12);
        assertEquals(0.0, BoxMatcher.iou(Box.label(0, 0, 10, 10, 0), Box.label(10, 0, 20, 10, 0)), 1e-12);
        assertEquals(1.0, BoxMatcher.overlapOfSmaller(Box.label(0, 0, 100, 100, 0), Box.label(40, 40, 60, 60, 0)));
    }

    @Test
    void greedyMatchingGivesTheLabelToTheHigherScoringPrediction() {
        List<Box> labels = List.of(Box.label(0, 0, 10, 10, 0));
        // the 0.6-score prediction overlaps better (IoU 1) but the 0.9 one (IoU 0.81) is visited first, as in COCO
        List<Box> preds = List.of(pred(0, 0, 10, 10, 0, 0.6), pred(1, 1, 10, 10, 0, 0.9));
        List<BoxMatcher.Match> m = BoxMatcher.greedyMatch(preds, labels, 0.5, true);
        assertEquals(1, m.size());
        assertEquals(1, m.get(0).prediction());
        assertEquals(0.81, m.get(0).iou(), 1e-12);
    }

    @Test
    void aPerfectFrameHasNoIssuesAndScoresOne() {
        FrameResult r = DetectionIssueFinder.find(List.of(Box.label(0, 0, 10, 10, 0)), List.of(pred(0, 0, 10, 10, 0, 0.9)));
        assertTrue(r.issues().isEmpty());
        assertEquals(1.0, r.frameScore(), 1e-12);
    }

    @Test
    void aConfidentPredictionWithoutALabelIsAMissingLabel() {
        FrameResult r = DetectionIssueFinder.find(List.of(),
                List.of(pred(20, 20, 30, 30, 3, 0.9), pred(50, 50, 60, 60, 3, 0.2)));
        assertEquals(1, r.issues().size()); // the 0.2 prediction is not confident enough to raise anything
        Issue i = r.issues().get(0);
        assertEquals(Type.MISSING_LABEL, i.type());
        assertEquals(0, i.predictionIndex());
        assertEquals(0.1, i.score(), 1e-12);
        assertEquals(0.1, r.frameScore(), 1e-12);
    }

    @Test
    void aLabelNoPredictionSupportsIsSpurious() {
        FrameResult r = DetectionIssueFinder.find(List.of(Box.label(0, 0, 10, 10, 1), Box.label(50, 50, 60, 60, 1)),
                List.of(pred(50, 50, 60, 60, 1, 0.95), pred(0, 0, 5, 10, 1, 0.3)));
        assertEquals(1, r.issues().size());
        Issue i = r.issues().get(0);
        assertEquals(Type.SPURIOUS_LABEL, i.type());
        assertEquals(0, i.labelIndex());
        assertEquals(0.5 * 0.3, i.score(), 1e-12); // best IoU x score of any overlapping prediction
        assertEquals(1.0, r.labelScores()[1], 1e-12);
    }

    @Test
    void aBoxMatchedOnlyAcrossClassesHasTheWrongClass() {
        FrameResult r = DetectionIssueFinder.find(List.of(Box.label(0, 0, 10, 10, 1)), List.of(pred(0, 0, 10, 9, 2, 0.8)));
        assertEquals(1, r.issues().size());
        Issue i = r.issues().get(0);
        assertEquals(Type.WRONG_CLASS, i.type());
        assertEquals(1, i.labelClass());
        assertEquals(2, i.predictedClass());
        assertEquals(0.2, i.score(), 1e-12);
        assertEquals(0.9, i.iou(), 1e-12);
    }

    @Test
    void aLooseBoxAroundAWholePoleIsPoorlyLocalised() {
        // the annotator drew 100x100 around the pole; the model boxes the 20x20 defect inside it
        FrameResult r = DetectionIssueFinder.find(List.of(Box.label(0, 0, 100, 100, 0)), List.of(pred(40, 40, 60, 60, 0, 0.9)));
        assertEquals(1, r.issues().size());
        Issue i = r.issues().get(0);
        assertEquals(Type.POOR_LOCALIZATION, i.type());
        assertEquals(0.04, i.iou(), 1e-12);
        assertEquals(25.0, i.areaRatio(), 1e-12);
        assertEquals(0.04 / 25, i.score(), 1e-12);
    }

    @Test
    void aMatchedButSlightlyLooseBoxIsFlaggedOnlyBelowTheGoodIou() {
        // 12x12 label vs 10x10 prediction: IoU 100/144 = 0.694, area ratio 1.44 -> fine
        assertTrue(DetectionIssueFinder.find(List.of(Box.label(0, 0, 12, 12, 0)), List.of(pred(0, 0, 10, 10, 0, 0.9)))
                .issues().isEmpty());
        // 13x13: IoU 100/169 = 0.59 < 0.6 -> poor localisation, scored by IoU x (1 / 1.69)
        FrameResult r = DetectionIssueFinder.find(List.of(Box.label(0, 0, 13, 13, 0)), List.of(pred(0, 0, 10, 10, 0, 0.9)));
        assertEquals(Type.POOR_LOCALIZATION, r.issues().get(0).type());
        assertEquals(100.0 / 169 / 1.69, r.frameScore(), 1e-9);
    }

    @Test
    void issuesAreOrderedMostSuspectFirst() {
        FrameResult r = DetectionIssueFinder.find(
                List.of(Box.label(0, 0, 10, 10, 1), Box.label(100, 100, 110, 110, 0)),
                List.of(pred(0, 0, 10, 10, 2, 0.7), pred(200, 200, 210, 210, 0, 0.99)));
        assertEquals(3, r.issues().size());
        assertEquals(Type.SPURIOUS_LABEL, r.issues().get(0).type()); // score 0
        assertEquals(Type.MISSING_LABEL, r.issues().get(1).type()); // 0.01
        assertEquals(Type.WRONG_CLASS, r.issues().get(2).type()); // 0.3
        assertEquals(0.0, r.frameScore(), 1e-12);
    }

    @Test
    void anInvertedBoxIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Box.label(10, 0, 0, 10, 0));
    }
}
