package dev.shoal.embedding.store;

/**
 * Scalar fields of a frame's stored vectors to overwrite, without touching the vectors ({@link VectorStore#updateFields}).
 * A null component leaves that field as it is; a label sets {@code labeled = true} and the labeler with it.
 * (Labels and predictions are never withdrawn by an event, so there is no "clear" here.)
 *
 * @param split      train / validation / test / unlabeled
 * @param label      the frame's current class label (the most recent classification label)
 * @param labelerId  who drew {@code label}; only used when {@code label} is set
 * @param prediction the current top predicted class (the most recent inference's arg-max)
 */
public record FieldUpdate(String split, String label, String labelerId, String prediction) {

    public static FieldUpdate label(String className, String labelerId) {
        return new FieldUpdate(null, className, labelerId, null);
    }

    public static FieldUpdate prediction(String className) {
        return new FieldUpdate(null, null, null, className);
    }

    public static FieldUpdate split(String split) {
        return new FieldUpdate(split, null, null, null);
    }

    /** True when this update sets nothing. */
    public boolean isEmpty() {
        return split == null && label == null && prediction == null;
    }

    /** True when applying it to {@code r} would change none of r's fields. */
    public boolean isAppliedTo(VectorRecord r) {
        VectorRecord after = r.with(this);
        return java.util.Objects.equals(after.split(), r.split()) && java.util.Objects.equals(after.label(), r.label())
                && after.labeled() == r.labeled() && java.util.Objects.equals(after.labelerId(), r.labelerId())
                && java.util.Objects.equals(after.prediction(), r.prediction());
    }
}
