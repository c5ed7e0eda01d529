package dev.shoal.algorithms.detection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Greedy matching of predicted boxes to labelled boxes by intersection over union, as in the PASCAL
 * VOC (Everingham et al., IJCV 2010) and COCO (Lin et al., ECCV 2014) detection evaluations: predictions
 * are visited in decreasing score; each takes the still-unmatched labelled box with the highest IoU,
 * provided that IoU reaches the threshold. With {@code sameClass} only boxes of equal class may match,
 * without it only boxes of different classes (used to find wrong-class labels).
 */
public final class BoxMatcher {

    /** A matched pair: indices into the prediction and label lists, with their IoU. */
    public record Match(int prediction, int label, double iou) {
    }

    private BoxMatcher() {
    }

    /** Intersection over union of two boxes (0 when both are empty). */
    public static double iou(Box a, Box b) {
        double inter = intersection(a, b);
        double union = a.area() + b.area() - inter;
        return union <= 0 ? 0 : inter / union;
    }

    /** Intersection area. */
    public static double intersection(Box a, Box b) {
        double w = Math.min(a.x2(), b.x2()) - Math.max(a.x1(), b.x1());
        double h = Math.min(a.y2(), b.y2()) - Math.max(a.y1(), b.y1());
        return w <= 0 || h <= 0 ? 0 : w * h;
    }

    /** Intersection over the smaller box's area: 1 when one box lies inside the other. */
    public static double overlapOfSmaller(Box a, Box b) {
        double min = Math.min(a.area(), b.area());
        return min <= 0 ? 0 : intersection(a, b) / min;
    }

    /** COCO/VOC greedy matching of all predictions to all labels. */
    public static List<Match> greedyMatch(List<Box> predictions, List<Box> labels, double iouThreshold, boolean sameClass) {
        boolean[] usedP = new boolean[predictions.size()];
        boolean[] usedL = new boolean[labels.size()];
        return greedyMatch(predictions, labels, iouThreshold, sameClass, usedP, usedL);
    }

    /**
     * Greedy matching restricted to predictions and labels not yet used; marks the ones it matches.
     * Ties in score are broken by prediction index, ties in IoU by label index.
     */
    static List<Match> greedyMatch(List<Box> predictions, List<Box> labels, double iouThreshold, boolean sameClass,
                                   boolean[] usedP, boolean[] usedL) {
        Integer[] order = new Integer[predictions.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -predictions.get(i).score()).thenComparingInt(i -> i));
        List<Match> out = new ArrayList<>();
        for (int p : order) {
            if (usedP[p]) continue;
            Box pb = predictions.get(p);
            int best = -1;
            double bestIou = iouThreshold;
            for (int l = 0; l < labels.size(); l++) {
                if (usedL[l]) continue;
                Box lb = labels.get(l);
                if (sameClass != (lb.cls() == pb.cls())) continue;
                double v = iou(pb, lb);
                if (v >= bestIou && (best < 0 || v > bestIou)) {
                    best = l;
                    bestIou = v;
                }
            }
            if (best >= 0) {
                usedP[p] = true;
                usedL[best] = true;
                out.add(new Match(p, best, bestIou));
            }
        }
        return out;
    }
}
