package dev.shoal.algorithms.consensus;

/**
 * One answer: annotator {@code annotator} gave class {@code label} to item {@code item}. All three are dense
 * indices ({@code 0..n-1}); callers map their ids (frame ids, vendor labeler ids, class names) to indices.
 */
public record Annotation(int item, int annotator, int label) {
}
