package dev.shoal.mining;

import dev.shoal.proto.ingest.v1.Split;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A small labeled set with user-supplied 16-d embeddings, published through the real topics:
 * 3 classes (cone, sign, pole), each made of 2 tight sub-populations ("modes") around their own directions,
 * 40 frames per mode (240 frames). Planted:
 * <ul>
 *   <li>label errors: 12 frames whose given label is another class than the one their embedding and the model say;</li>
 *   <li>a failure slice: the frames of (cone, mode 1), all from camera cam-7, on which the model predicts
 *       "sign" for 75% of them (the labels are right there: the model is wrong);</li>
 *   <li>a near-duplicate leak: frame "dup-test" is an almost exact copy of "f0" (train) but sits in test;</li>
 *   <li>an outlier: frame "odd" (unlabeled) points away from every mode.</li>
 * </ul>
 * Model "det" version "1" gives every frame probabilities (0.85 on its predicted class).
 */
final class SyntheticDataset {

    static final List<String> CLASSES = List.of("cone", "pole", "sign");
    static final int DIM = 16;
    static final int PER_MODE = 40;

    final String id;
    final Set<String> flipped = new HashSet<>();
    final Set<String> slice = new HashSet<>();
    final List<String> frames = new ArrayList<>();

    SyntheticDataset(String id) {
        this.id = id;
    }

    static SyntheticDataset publish(Events events, String datasetId) {
        SyntheticDataset d = new SyntheticDataset(datasetId);
        Random rnd = new Random(42);
        int f = 0;
        float[] f0 = null;
        for (int cls = 0; cls < 3; cls++) {
            for (int mode = 0; mode < 2; mode++) {
                int axis = cls * 2 + mode;   // each mode its own direction
                for (int j = 0; j < PER_MODE; j++) {
                    String frameId = "f" + f;
                    float[] v = new float[DIM];
                    v[axis] = 1f;
                    v[(axis + 7) % DIM] = 0.3f;
                    for (int k = 0; k < DIM; k++) {
                        v[k] += (float) (rnd.nextGaussian() * 0.08);
                    }
                    if (f == 0) {
                        f0 = v.clone();
                    }
                    boolean inSlice = cls == 0 && mode == 1;
                    String camera = inSlice ? "cam-7" : "cam-" + (1 + rnd.nextInt(3));
                    int given = cls;
                    if (!inSlice && j % 20 == 7 && d.flipped.size() < 12) {
                        given = (cls + 1 + rnd.nextInt(2)) % 3;
                        d.flipped.add(frameId);
                    }
                    int predicted = cls;
                    if (inSlice) {
                        d.slice.add(frameId);
                        if (j % 4 != 0) {
                            predicted = 2;   // the model calls these cones signs
                        }
                    }
                    events.frame(datasetId, frameId, Split.SPLIT_TRAIN, Map.of("camera", camera));
                    events.embedding(datasetId, frameId, "clip", "1", v);
                    events.label(datasetId, frameId, "v1", "alice", CLASSES.get(given));
                    float[] p = new float[3];
                    for (int k = 0; k < 3; k++) {
                        p[k] = k == predicted ? 0.85f : 0.075f;
                    }
                    events.inference(datasetId, frameId, "det", "1", CLASSES, p);
                    d.frames.add(frameId);
                    f++;
                }
            }
        }
        // leakage: a near copy of f0 in the test split
        float[] copy = f0.clone();
        copy[3] += 0.001f;
        events.frame(datasetId, "dup-test", Split.SPLIT_TEST, Map.of("camera", "cam-1"));
        events.embedding(datasetId, "dup-test", "clip", "1", copy);
        // an outlier: far from every mode, in the unlabeled pool
        float[] odd = new float[DIM];
        for (int k = 0; k < DIM; k++) {
            odd[k] = k % 2 == 0 ? -1f : 0.5f;
        }
        events.frame(datasetId, "odd", Split.SPLIT_UNLABELED, Map.of("camera", "cam-1"));
        events.embedding(datasetId, "odd", "clip", "1", odd);
        events.flush();
        return d;
    }

    /** Frames with a vector: the labeled ones plus dup-test and odd. */
    int frameCount() {
        return frames.size() + 2;
    }
}
