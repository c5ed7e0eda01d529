package dev.shoal.algorithms.detection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Finds label issues in one frame of object-detection labels by comparing them with a model's predicted
 * boxes. Matching follows the PASCAL VOC / COCO greedy IoU rule ({@link BoxMatcher}); the issue types
 * follow the three error kinds of Tkachenko, Thyagarajan &amp; Mueller, "ObjectLab: Automated Diagnosis of
 * Mislabeled Images in Object Detection Data" (arXiv 2309.00832, 2023; cleanlab.object_detection):
 * overlooked (missing) boxes, swapped (wrong-class) boxes and badly located boxes, plus spurious labels;
 * the scores below are simpler than ObjectLab's (no soft-min pooling), one per box and the minimum per
 * frame. Stages, each over what earlier stages left unmatched:
 * <ol>
 *   <li>same-class match of confident predictions (score ≥ {@code minScore}) at IoU ≥ {@code matchIou};
 *       a matched pair with IoU &lt; {@code goodIou} or an area ratio (label / prediction) outside
 *       [1 / {@code maxAreaRatio}, {@code maxAreaRatio}] is a <b>poor localisation</b>;</li>
 *   <li>same-class pairs where one box mostly contains the other (intersection / smaller area ≥
 *       {@code containment}) but IoU is below {@code matchIou}, e.g. a loose box around a whole pole drawn
 *       where the model boxes only the defect: <b>poor localisation</b>;</li>
 *   <li>cross-class match at IoU ≥ {@code matchIou}: <b>wrong class</b>;</li>
 *   <li>a confident prediction still unmatched: <b>missing label</b>; a label still unmatched:
 *       <b>spurious label</b>.</li>
 * </ol>
 * Scores are label qualities in [0, 1] (lower = more suspect): a good match scores its IoU, a poor
 * localisation its IoU (times the smaller/larger area ratio when the ratio is the problem), a wrong class
 * or missing label {@code 1 - prediction score}, a spurious label the best {@code IoU × score} of any
 * overlapping prediction. The frame score is the minimum over its boxes (1 for a frame with none).
 */
public final class DetectionIssueFinder {

    public enum Type { MISSING_LABEL, SPURIOUS_LABEL, WRONG_CLASS, POOR_LOCALIZATION }

    /**
     * @param matchIou     IoU needed to match (0.5 as in VOC / COCO AP50)
     * @param minScore     predictions below this confidence never raise or resolve an issue
     * @param goodIou      a matched pair below this IoU is poorly localised
     * @param maxAreaRatio a matched pair whose areas differ by more than this factor is poorly localised
     * @param containment  intersection / smaller area at which nested boxes pair up as poorly localised
     */
    public record Options(double matchIou, double minScore, double goodIou, double maxAreaRatio, double containment) {
        public static Options defaults() {
            return new Options(0.5, 0.5, 0.6, 1.5, 0.8);
        }
    }

    /**
     * One issue. {@code labelIndex} / {@code predictionIndex} point into the frame's lists (-1 when absent).
     */
    public record Issue(Type type, int labelIndex, int predictionIndex, int labelClass, int predictedClass,
                        double iou, double areaRatio, double score) {
    }

    /**
     * The frame's result.
     *
     * @param issues           issues, most suspect first
     * @param labelScores      quality per labelled box, in label order
     * @param predictionScores per prediction: quality charged to it ({@code 1 - score} if it is a missing label,
     *                         else 1)
     * @param frameScore       minimum box quality
     */
    public record FrameResult(List<Issue> issues, double[] labelScores, double[] predictionScores, double frameScore) {
    }

    private DetectionIssueFinder() {
    }

    public static FrameResult find(List<Box> labels, List<Box> predictions) {
        return find(labels, predictions, Options.defaults());
    }

    public static FrameResult find(List<Box> labels, List<Box> predictions, Options o) {
        int nl = labels.size();
        int np = predictions.size();
        boolean[] usedP = new boolean[np];
        boolean[] usedL = new boolean[nl];
        for (int p = 0; p < np; p++) if (predictions.get(p).score() < o.minScore()) usedP[p] = true; // not confident
        double[] labelScore = new double[nl];
        double[] predScore = new double[np];
        Arrays.fill(predScore, 1.0);
        List<Issue> issues = new ArrayList<>();

        for (BoxMatcher.Match m : BoxMatcher.greedyMatch(predictions, labels, o.matchIou(), true, usedP, usedL)) {
            Box l = labels.get(m.label());
            Box p = predictions.get(m.prediction());
            double ratio = ratio(l, p);
            double spread = Math.max(ratio, 1 / ratio);
            if (m.iou() < o.goodIou() || spread > o.maxAreaRatio()) {
                double s = m.iou() * (spread > o.maxAreaRatio() ? 1 / spread : 1);
                labelScore[m.label()] = s;
                issues.add(new Issue(Type.POOR_LOCALIZATION, m.label(), m.prediction(), l.cls(), p.cls(), m.iou(), ratio, s));
            } else {
                labelScore[m.label()] = m.iou();
            }
        }
        // nested boxes of one class that IoU alone cannot pair
        for (BoxMatcher.Match m : containmentMatch(predictions, labels, o, usedP, usedL)) {
            Box l = labels.get(m.label());
            Box p = predictions.get(m.prediction());
            double ratio = ratio(l, p);
            double s = m.iou() * Math.min(ratio, 1 / ratio);
            labelScore[m.label()] = s;
            issues.add(new Issue(Type.POOR_LOCALIZATION, m.label(), m.prediction(), l.cls(), p.cls(), m.iou(), ratio, s));
        }
        for (BoxMatcher.Match m : BoxMatcher.greedyMatch(predictions, labels, o.matchIou(), false, usedP, usedL)) {
            Box l = labels.get(m.label());
            Box p = predictions.get(m.prediction());
            double s = 1 - p.score();
            labelScore[m.label()] = s;
            issues.add(new Issue(Type.WRONG_CLASS, m.label(), m.prediction(), l.cls(), p.cls(), m.iou(), ratio(l, p), s));
        }
        for (int p = 0; p < np; p++) {
            if (usedP[p]) continue;
            Box pb = predictions.get(p);
            double s = 1 - pb.score();
            predScore[p] = s;
            issues.add(new Issue(Type.MISSING_LABEL, -1, p, -1, pb.cls(), 0, Double.NaN, s));
        }
        for (int l = 0; l < nl; l++) {
            if (usedL[l]) continue;
            Box lb = labels.get(l);
            double best = 0;
            int bestP = -1;
            double bestIou = 0;
            for (int p = 0; p < np; p++) {
                double v = BoxMatcher.iou(lb, predictions.get(p));
                if (v * predictions.get(p).score() > best) {
                    best = v * predictions.get(p).score();
                    bestP = p;
                    bestIou = v;
                }
            }
            labelScore[l] = best;
            issues.add(new Issue(Type.SPURIOUS_LABEL, l, bestP, lb.cls(), bestP < 0 ? -1 : predictions.get(bestP).cls(),
                    bestIou, bestP < 0 ? Double.NaN : ratio(lb, predictions.get(bestP)), best));
        }
        issues.sort(Comparator.comparingDouble(Issue::score));
        double frame = 1.0;
        for (double s : labelScore) frame = Math.min(frame, s);
        for (double s : predScore) frame = Math.min(frame, s);
        return new FrameResult(issues, labelScore, predScore, frame);
    }

    private static List<BoxMatcher.Match> containmentMatch(List<Box> preds, List<Box> labels, Options o,
                                                           boolean[] usedP, boolean[] usedL) {
        Integer[] order = new Integer[preds.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -preds.get(i).score()).thenComparingInt(i -> i));
        List<BoxMatcher.Match> out = new ArrayList<>();
        for (int p : order) {
            if (usedP[p]) continue;
            Box pb = preds.get(p);
            int best = -1;
            double bestOverlap = 0;
            for (int l = 0; l < labels.size(); l++) {
                if (usedL[l] || labels.get(l).cls() != pb.cls()) continue;
                double ov = BoxMatcher.overlapOfSmaller(pb, labels.get(l));
                if (ov >= o.containment() && ov > bestOverlap) {
                    best = l;
                    bestOverlap = ov;
                }
            }
            if (best >= 0) {
                usedP[p] = true;
                usedL[best] = true;
                out.add(new BoxMatcher.Match(p, best, BoxMatcher.iou(pb, labels.get(best))));
            }
        }
        return out;
    }

    private static double ratio(Box label, Box pred) {
        double pa = pred.area();
        return pa <= 0 ? Double.POSITIVE_INFINITY : label.area() / pa;
    }
}
