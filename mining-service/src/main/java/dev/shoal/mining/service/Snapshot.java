package dev.shoal.mining.service;

import dev.shoal.mining.domain.ReadModel.BoxShape;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The inputs of one analysis, indexed 0..n-1 by frame: what the loader streamed out of PostgreSQL (and the
 * vector sources). Any per-frame entry may be missing: vector null, label -1, probs null.
 */
public final class Snapshot {
    public final List<String> frameIds;
    public final List<String> classes;
    /** Per frame: its L2-normalised vector (shared with {@link #vectorSet}, never modified), or null. */
    public final float[][] vectors;
    public final int[] labels;
    public final float[][] probs;
    public final String[] splits;
    public final List<Map<String, String>> metadata;
    /** Every classification answer r: frame answerFrames[r] got class answerClasses[r] from labeler answerLabelers[r]. */
    public final int[] answerFrames;
    public final int[] answerLabelers;
    public final int[] answerClasses;
    public final List<String> labelerIds;
    public final List<List<BoxShape>> labeledBoxes;
    public final List<List<BoxShape>> predictedBoxes;
    /** The frames with a vector (snapshot indices 0..size-1, in row order), normalised; null without vectors. */
    public final VectorSet vectorSet;
    /** True when {@link #vectorSet} came from the cache instead of being loaded for this analysis. */
    public final boolean vectorsReused;

    Snapshot(List<String> frameIds, List<String> classes, float[][] vectors, int[] labels, float[][] probs, String[] splits,
             List<Map<String, String>> metadata, int[] answerFrames, int[] answerLabelers, int[] answerClasses,
             List<String> labelerIds,
             List<List<BoxShape>> labeledBoxes, List<List<BoxShape>> predictedBoxes, VectorSet vectorSet,
             boolean vectorsReused) {
        this.frameIds = frameIds;
        this.classes = classes;
        this.vectors = vectors;
        this.labels = labels;
        this.probs = probs;
        this.splits = splits;
        this.metadata = metadata;
        this.answerFrames = answerFrames;
        this.answerLabelers = answerLabelers;
        this.answerClasses = answerClasses;
        this.labelerIds = labelerIds;
        this.labeledBoxes = labeledBoxes;
        this.predictedBoxes = predictedBoxes;
        this.vectorSet = vectorSet;
        this.vectorsReused = vectorsReused;
    }

    /** Number of classification answers. */
    public int answers() {
        return answerFrames.length;
    }

    public int size() {
        return frameIds.size();
    }

    /** Indices of frames that satisfy all the given presence conditions. */
    public int[] select(boolean needVector, boolean needLabel, boolean needProbs) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            if ((!needVector || vectors[i] != null) && (!needLabel || labels[i] >= 0) && (!needProbs || probs[i] != null)) {
                out.add(i);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    public String className(int k) {
        return k < 0 ? null : classes.get(k);
    }
}
