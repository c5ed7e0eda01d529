package dev.shoal.algorithms.consensus;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds an {@link AnnotationSet} from the ids callers really have (frame ids, labeler ids, class names) and maps
 * the results back. Items and annotators are indexed in the order first seen; classes either come from a fixed
 * schema (answers outside it are refused) or, with the no-argument constructor, are added as seen.
 *
 * @param <I> item id type (e.g. frame id)
 * @param <A> annotator id type (e.g. the vendor's labeler id)
 */
public final class KeyedAnswers<I, A> {

    private final Map<I, Integer> itemIndex = new HashMap<>();
    private final List<I> items = new ArrayList<>();
    private final Map<A, Integer> annotatorIndex = new HashMap<>();
    private final List<A> annotators = new ArrayList<>();
    private final Map<String, Integer> classIndex = new HashMap<>();
    private final List<String> classes = new ArrayList<>();
    private final boolean openVocabulary;
    private final List<Annotation> answers = new ArrayList<>();

    /** Open vocabulary: every class name seen becomes a class. */
    public KeyedAnswers() {
        this.openVocabulary = true;
    }

    /** Fixed schema: answers naming another class are refused. */
    public KeyedAnswers(List<String> schema) {
        this.openVocabulary = false;
        schema.forEach(this::classIndexOf);
    }

    /** Adds one answer; with a fixed schema, throws IllegalArgumentException for a class outside it. */
    public KeyedAnswers<I, A> add(I item, A annotator, String label) {
        Integer c = classIndex.get(label);
        if (c == null) {
            if (!openVocabulary) {
                throw new IllegalArgumentException("class " + label + " is not in the schema " + classes);
            }
            c = classIndexOf(label);
        }
        int i = itemIndex.computeIfAbsent(item, k -> {
            items.add(k);
            return items.size() - 1;
        });
        int j = annotatorIndex.computeIfAbsent(annotator, k -> {
            annotators.add(k);
            return annotators.size() - 1;
        });
        answers.add(new Annotation(i, j, c));
        return this;
    }

    /** Registers an item nobody may have answered yet (so it gets a row, label -1, in the result). */
    public int addItem(I item) {
        return itemIndex.computeIfAbsent(item, k -> {
            items.add(k);
            return items.size() - 1;
        });
    }

    public AnnotationSet toSet() {
        return new AnnotationSet(items.size(), annotators.size(), Math.max(1, classes.size()), answers);
    }

    public List<I> items() {
        return Collections.unmodifiableList(items);
    }

    public List<A> annotators() {
        return Collections.unmodifiableList(annotators);
    }

    public List<String> classes() {
        return Collections.unmodifiableList(classes);
    }

    public int itemIndex(I item) {
        Integer i = itemIndex.get(item);
        return i == null ? -1 : i;
    }

    public int annotatorIndex(A annotator) {
        Integer j = annotatorIndex.get(annotator);
        return j == null ? -1 : j;
    }

    /** The consensus class name of an item in a result fitted on {@link #toSet()}, or null when it has none. */
    public String label(ConsensusResult result, I item) {
        int i = itemIndex(item);
        if (i < 0 || result.labels()[i] < 0) {
            return null;
        }
        return classes.get(result.labels()[i]);
    }

    private int classIndexOf(String label) {
        return classIndex.computeIfAbsent(label, k -> {
            classes.add(k);
            return classes.size() - 1;
        });
    }
}
