package dev.shoal.algorithms.detection;

/**
 * An axis-aligned box in pixel coordinates, {@code (x1, y1)} top-left and {@code (x2, y2)} bottom-right,
 * with a class index and a score (a prediction's confidence; 1 for a labelled box).
 */
public record Box(double x1, double y1, double x2, double y2, int cls, double score) {
    public Box {
        if (!(x2 >= x1) || !(y2 >= y1)) {
            throw new IllegalArgumentException("box must have x2 >= x1 and y2 >= y1, was (" + x1 + "," + y1 + ","
                    + x2 + "," + y2 + ")");
        }
    }

    /** A labelled box (score 1). */
    public static Box label(double x1, double y1, double x2, double y2, int cls) {
        return new Box(x1, y1, x2, y2, cls, 1.0);
    }

    /** A box from x, y, width, height (COCO's bbox order). */
    public static Box xywh(double x, double y, double w, double h, int cls, double score) {
        return new Box(x, y, x + w, y + h, cls, score);
    }

    public double area() {
        return (x2 - x1) * (y2 - y1);
    }
}
