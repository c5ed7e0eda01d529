package dev.shoal.algorithms.consensus;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Items x annotators x classes, as a sparse list of {@link Annotation}s (most annotators see few items).
 * If one annotator labelled one item several times, each answer counts (Dawid and Skene allow repeated answers).
 */
public final class AnnotationSet {

    private final int items;
    private final int annotators;
    private final int classes;
    private final List<Annotation> annotations;

    public AnnotationSet(int items, int annotators, int classes, List<Annotation> annotations) {
        if (items < 0 || annotators < 0 || classes < 1) {
            throw new IllegalArgumentException("need items >= 0, annotators >= 0, classes >= 1; got "
                    + items + ", " + annotators + ", " + classes);
        }
        for (int i = 0; i < annotations.size(); i++) {
            Annotation a = annotations.get(i);
            if (a.item() < 0 || a.item() >= items) {
                throw new IllegalArgumentException("annotations[" + i + "].item " + a.item() + " outside 0.." + (items - 1));
            }
            if (a.annotator() < 0 || a.annotator() >= annotators) {
                throw new IllegalArgumentException("annotations[" + i + "].annotator " + a.annotator() + " outside 0.." + (annotators - 1));
            }
            if (a.label() < 0 || a.label() >= classes) {
                throw new IllegalArgumentException("annotations[" + i + "].label " + a.label() + " outside 0.." + (classes - 1));
            }
        }
        this.items = items;
        this.annotators = annotators;
        this.classes = classes;
        this.annotations = Collections.unmodifiableList(new ArrayList<>(annotations));
    }

    public int items() {
        return items;
    }

    public int annotators() {
        return annotators;
    }

    public int classes() {
        return classes;
    }

    public List<Annotation> annotations() {
        return annotations;
    }

    /** counts[item][class]: how many answers each item got for each class. */
    public int[][] countsPerItem() {
        int[][] counts = new int[items][classes];
        for (Annotation a : annotations) {
            counts[a.item()][a.label()]++;
        }
        return counts;
    }

    /** How many items each annotator answered (repeats counted). */
    public int[] answersPerAnnotator() {
        int[] n = new int[annotators];
        for (Annotation a : annotations) {
            n[a.annotator()]++;
        }
        return n;
    }
}
