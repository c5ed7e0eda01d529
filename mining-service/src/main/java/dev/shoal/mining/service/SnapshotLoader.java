package dev.shoal.mining.service;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.shoal.mining.config.MiningConfig;
import dev.shoal.mining.domain.Analysis;
import dev.shoal.mining.domain.ReadModel.BoxShape;
import dev.shoal.mining.store.EmbeddingRepository;
import dev.shoal.mining.store.Floats;
import dev.shoal.mining.store.Jdbc;
import dev.shoal.mining.store.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Streams an analysis' inputs out of PostgreSQL with server-side cursors (pages of {@code shoal.mining.page-size}
 * rows), and vectors through the {@link VectorSources}, L2-normalised once, or takes them from the
 * {@link VectorSetCache} when the vector set's fingerprint is unchanged. Memory holds one entry per frame, never a
 * whole table.
 */
@ApplicationScoped
public class SnapshotLoader {

    @Inject
    DataSource dataSource;

    @Inject
    VectorSources vectorSources;

    @Inject
    MiningConfig config;

    @Inject
    EmbeddingRepository embeddings;

    @Inject
    VectorSetCache cache;

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };
    private static final TypeReference<List<BoxShape>> BOXES = new TypeReference<>() { };
    /** Distinct metadata JSON values whose parsed map is shared between frames; beyond this each frame parses its own. */
    private static final int MAX_DISTINCT_METADATA = 10_000;

    public Snapshot load(Analysis a, boolean withVectors, boolean withBoxes) {
        Map<String, Integer> index = new HashMap<>();
        List<String> frameIds = new ArrayList<>();

        // frames with a vector come first, in the vector set's row order: snapshot index r = vector row r
        VectorSet vectorSet = null;
        boolean vectorsReused = false;
        if (withVectors && a.hasEmbedding()) {
            VectorSet.Key key = new VectorSet.Key(a.datasetId(), a.embeddingModelId(), a.embeddingModelVersion(),
                    embeddings.vectorFingerprint(a.datasetId(), a.embeddingModelId(), a.embeddingModelVersion()));
            vectorSet = cache.get(key).orElse(null);
            if (vectorSet != null) {
                vectorsReused = true;
                for (String id : vectorSet.frameIds) {
                    indexOf(id, index, frameIds);
                }
            } else {
                cache.makeRoom();
                List<float[]> vectors = new ArrayList<>();
                vectorSources.stream(a.datasetId(), a.embeddingModelId(), a.embeddingModelVersion(), (frameId, v) -> {
                    int i = indexOf(frameId, index, frameIds);
                    if (i == vectors.size()) {
                        vectors.add(v);
                    } else {
                        vectors.set(i, v);   // the same frame from a second source
                    }
                });
                float[][] rows = vectors.toArray(new float[0][]);
                vectors.clear();
                for (float[] v : rows) {
                    VectorSet.normalise(v);
                }
                vectorSet = new VectorSet(key, frameIds, rows);
                cache.put(vectorSet);
            }
        }

        // labels of the label set: classification answers per labeler (as ints: frame, labeler, class seen), boxes per frame
        Map<String, Integer> seenClass = new HashMap<>();
        List<String> seenClasses = new ArrayList<>();
        Map<String, Integer> labelerIndex = new HashMap<>();
        List<String> labelerIds = new ArrayList<>();
        Ints ansFrame = new Ints();
        Ints ansLabeler = new Ints();
        Ints ansClass = new Ints();
        Map<Integer, List<BoxShape>> labeled = new HashMap<>();
        stream("""
                select frame_id, labeler_id, kind, class_name, shapes from label
                where dataset_id = ? and label_set = ? order by frame_id, labeler_id""",
                List.of(a.datasetId(), a.labelSet()), rs -> {
                    int i = indexOf(rs.getString(1), index, frameIds);
                    String kind = rs.getString(3);
                    if ("classification".equals(kind)) {
                        ansFrame.add(i);
                        ansLabeler.add(intern(rs.getString(2), labelerIndex, labelerIds));
                        ansClass.add(intern(rs.getString(4), seenClass, seenClasses));
                    } else if (withBoxes) {
                        labeled.computeIfAbsent(i, x -> new ArrayList<>()).addAll(Json.read(rs.getString(5), BOXES));
                    }
                });

        // model probabilities as stored (one class-name list per distinct list), remapped below
        List<float[]> rawProbs = new ArrayList<>();
        Ints probNames = new Ints();
        Map<String, Integer> namesIndex = new HashMap<>();
        List<String[]> nameLists = new ArrayList<>();
        Map<Integer, List<BoxShape>> predicted = new HashMap<>();
        if (a.hasModel()) {
            stream("""
                    select frame_id, kind, class_names, probs, shapes from inference
                    where dataset_id = ? and model_id = ? and model_version = ? order by frame_id""",
                    List.of(a.datasetId(), a.modelId(), a.modelVersion()), rs -> {
                        String frameId = rs.getString(1);
                        if ("classification".equals(rs.getString(2))) {
                            int i = indexOf(frameId, index, frameIds);
                            int names = namesIndex.computeIfAbsent(rs.getString(3), json -> {
                                nameLists.add(Json.read(json, STRINGS).toArray(String[]::new));
                                return nameLists.size() - 1;
                            });
                            while (rawProbs.size() <= i) {
                                rawProbs.add(null);
                            }
                            rawProbs.set(i, Floats.fromBytes(rs.getBytes(4)));
                            probNames.set(i, names);
                        } else if (withBoxes) {
                            int i = indexOf(frameId, index, frameIds);
                            predicted.put(i, Json.read(rs.getString(5), BOXES));
                        }
                    });
        }

        // one class list: the sorted union of labeled and predicted class names
        TreeSet<String> classSet = new TreeSet<>(seenClasses);
        nameLists.forEach(names -> classSet.addAll(List.of(names)));
        List<String> classes = new ArrayList<>(classSet);
        Map<String, Integer> classIndex = new HashMap<>();
        for (int k = 0; k < classes.size(); k++) {
            classIndex.put(classes.get(k), k);
        }
        int[] seenToClass = new int[seenClasses.size()];
        for (int c = 0; c < seenToClass.length; c++) {
            seenToClass[c] = classIndex.get(seenClasses.get(c));
        }

        int n = frameIds.size();
        int[] labels = new int[n];
        java.util.Arrays.fill(labels, -1);
        int answers = ansFrame.size();
        int[] answerClasses = new int[answers];
        for (int r = 0; r < answers; r++) {
            answerClasses[r] = seenToClass[ansClass.get(r)];
        }
        // majority of the label set's labelers per frame (answers come grouped by frame, ordered by labeler id);
        // ties go to the class the first labeler gave
        for (int from = 0; from < answers; ) {
            int to = from + 1;
            while (to < answers && ansFrame.get(to) == ansFrame.get(from)) {
                to++;
            }
            int best = -1;
            int bestCount = 0;
            for (int r = from; r < to; r++) {
                int count = 0;
                for (int q = from; q < to; q++) {
                    count += answerClasses[q] == answerClasses[r] ? 1 : 0;
                }
                if (count > bestCount) {
                    best = answerClasses[r];
                    bestCount = count;
                }
            }
            labels[ansFrame.get(from)] = best;
            from = to;
        }
        float[][] probs = new float[n][];
        for (int i = 0; i < rawProbs.size(); i++) {
            float[] p = rawProbs.get(i);
            if (p == null) {
                continue;
            }
            String[] names = nameLists.get(probNames.get(i));
            if (names.length == classes.size() && p.length == names.length && inClassOrder(names, classIndex)) {
                probs[i] = p;   // already in the analysis' class order: no copy
            } else {
                float[] row = new float[classes.size()];
                for (int k = 0; k < names.length && k < p.length; k++) {
                    row[classIndex.get(names[k])] = p[k];
                }
                probs[i] = row;
            }
        }
        rawProbs.clear();

        // splits and metadata: one instance per distinct value (a camera's metadata repeats over many frames)
        String[] splits = new String[n];
        Map<String, String> splitValues = new HashMap<>();
        List<Map<String, String>> metadata = new ArrayList<>(java.util.Collections.nCopies(n, null));
        Map<String, Map<String, String>> metaValues = new HashMap<>();
        stream("select frame_id, split, metadata from frame where dataset_id = ?", List.of(a.datasetId()), rs -> {
            Integer i = index.get(rs.getString(1));
            if (i != null) {
                String split = rs.getString(2);
                splits[i] = split == null ? null : splitValues.computeIfAbsent(split, x -> x);
                String meta = rs.getString(3);
                Map<String, String> m = metaValues.get(meta);
                if (m == null) {
                    m = "{}".equals(meta) ? Map.of() : Map.copyOf(Json.read(meta, new TypeReference<Map<String, String>>() { }));
                    if (metaValues.size() < MAX_DISTINCT_METADATA) {
                        metaValues.put(meta, m);
                    }
                }
                metadata.set(i, m);
            }
        });

        float[][] vecs = new float[n][];
        if (vectorSet != null) {
            System.arraycopy(vectorSet.vectors, 0, vecs, 0, vectorSet.size());   // the same arrays, not copies
        }
        List<List<BoxShape>> lb = boxesPerFrame(labeled, n);   // null: the frame has no box label in this label set
        List<List<BoxShape>> pb = boxesPerFrame(predicted, n);
        return new Snapshot(List.copyOf(frameIds), List.copyOf(classes), vecs, labels, probs, splits, metadata,
                ansFrame.toArray(), ansLabeler.toArray(), answerClasses, List.copyOf(labelerIds), lb, pb, vectorSet,
                vectorsReused);
    }

    private static int intern(String value, Map<String, Integer> index, List<String> values) {
        return index.computeIfAbsent(value, v -> {
            values.add(v);
            return values.size() - 1;
        });
    }

    private static List<List<BoxShape>> boxesPerFrame(Map<Integer, List<BoxShape>> byFrame, int n) {
        if (byFrame.isEmpty()) {
            return java.util.Collections.nCopies(n, null);
        }
        List<List<BoxShape>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(byFrame.get(i));
        }
        return out;
    }

    private static boolean inClassOrder(String[] names, Map<String, Integer> classIndex) {
        for (int k = 0; k < names.length; k++) {
            if (classIndex.get(names[k]) != k) {
                return false;
            }
        }
        return true;
    }

    /** A growable int array (no boxing: one int per answer or frame). */
    private static final class Ints {
        private int[] a = new int[1024];
        private int size;

        void add(int v) {
            set(size, v);
        }

        void set(int i, int v) {
            if (i >= a.length) {
                a = java.util.Arrays.copyOf(a, Math.max(i + 1, a.length * 2));
            }
            a[i] = v;
            size = Math.max(size, i + 1);
        }

        int get(int i) {
            return a[i];
        }

        int size() {
            return size;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(a, size);
        }
    }

    private static int indexOf(String frameId, Map<String, Integer> index, List<String> frameIds) {
        return index.computeIfAbsent(frameId, id -> {
            frameIds.add(id);
            return frameIds.size() - 1;
        });
    }

    private void stream(String sql, List<String> args, Jdbc.RowSink sink) {
        Jdbc.stream(dataSource, sql, args, config.pageSize(), sink);
    }
}
