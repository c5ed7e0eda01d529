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
import java.util.LinkedHashMap;
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

        // labels of the label set: classification answers per labeler, boxes/polygons per frame
        Map<Integer, Map<String, Integer>> votes = new HashMap<>();
        List<String[]> rawAnswers = new ArrayList<>();   // {frameIdx, labeler, class}
        Map<Integer, List<BoxShape>> labeled = new HashMap<>();
        stream("""
                select frame_id, labeler_id, kind, class_name, shapes from label
                where dataset_id = ? and label_set = ? order by frame_id, labeler_id""",
                List.of(a.datasetId(), a.labelSet()), rs -> {
                    int i = indexOf(rs.getString(1), index, frameIds);
                    String kind = rs.getString(3);
                    if ("classification".equals(kind)) {
                        votes.computeIfAbsent(i, x -> new LinkedHashMap<>()).merge(rs.getString(4), 1, Integer::sum);
                        rawAnswers.add(new String[] {Integer.toString(i), rs.getString(2), rs.getString(4)});
                    } else if (withBoxes) {
                        labeled.computeIfAbsent(i, x -> new ArrayList<>()).addAll(Json.read(rs.getString(5), BOXES));
                    }
                });

        Map<Integer, String[]> probNames = new HashMap<>();
        Map<Integer, float[]> rawProbs = new HashMap<>();
        Map<String, String[]> namesCache = new HashMap<>();
        Map<Integer, List<BoxShape>> predicted = new HashMap<>();
        if (a.hasModel()) {
            stream("""
                    select frame_id, kind, class_names, probs, shapes from inference
                    where dataset_id = ? and model_id = ? and model_version = ? order by frame_id""",
                    List.of(a.datasetId(), a.modelId(), a.modelVersion()), rs -> {
                        String frameId = rs.getString(1);
                        if ("classification".equals(rs.getString(2))) {
                            int i = indexOf(frameId, index, frameIds);
                            String names = rs.getString(3);
                            probNames.put(i, namesCache.computeIfAbsent(names, n -> Json.read(n, STRINGS).toArray(String[]::new)));
                            rawProbs.put(i, Floats.fromBytes(rs.getBytes(4)));
                        } else if (withBoxes) {
                            int i = indexOf(frameId, index, frameIds);
                            predicted.put(i, Json.read(rs.getString(5), BOXES));
                        }
                    });
        }

        // one class list: the sorted union of labeled and predicted class names
        TreeSet<String> classSet = new TreeSet<>();
        votes.values().forEach(v -> classSet.addAll(v.keySet()));
        namesCache.values().forEach(n -> classSet.addAll(List.of(n)));
        List<String> classes = new ArrayList<>(classSet);
        Map<String, Integer> classIndex = new HashMap<>();
        for (int k = 0; k < classes.size(); k++) {
            classIndex.put(classes.get(k), k);
        }

        int n = frameIds.size();
        int[] labels = new int[n];
        java.util.Arrays.fill(labels, -1);
        votes.forEach((i, v) -> {
            // majority of the label set's labelers; ties go to the first labeler (ordered by labeler id)
            String best = null;
            int bestCount = 0;
            for (var e : v.entrySet()) {
                if (e.getValue() > bestCount) {
                    best = e.getKey();
                    bestCount = e.getValue();
                }
            }
            labels[i] = classIndex.get(best);
        });
        float[][] probs = new float[n][];
        rawProbs.forEach((i, p) -> {
            float[] row = new float[classes.size()];
            String[] names = probNames.get(i);
            for (int k = 0; k < names.length && k < p.length; k++) {
                row[classIndex.get(names[k])] = p[k];
            }
            probs[i] = row;
        });
        List<String> labelerIds = new ArrayList<>();
        Map<String, Integer> labelerIndex = new HashMap<>();
        List<int[]> answers = new ArrayList<>(rawAnswers.size());
        for (String[] r : rawAnswers) {
            int j = labelerIndex.computeIfAbsent(r[1], id -> {
                labelerIds.add(id);
                return labelerIds.size() - 1;
            });
            answers.add(new int[] {Integer.parseInt(r[0]), j, classIndex.get(r[2])});
        }

        String[] splits = new String[n];
        List<Map<String, String>> metadata = new ArrayList<>(java.util.Collections.nCopies(n, null));
        stream("select frame_id, split, metadata from frame where dataset_id = ?", List.of(a.datasetId()), rs -> {
            Integer i = index.get(rs.getString(1));
            if (i != null) {
                splits[i] = rs.getString(2);
                String meta = rs.getString(3);
                metadata.set(i, "{}".equals(meta) ? Map.of() : Json.read(meta, new TypeReference<Map<String, String>>() { }));
            }
        });

        float[][] vecs = new float[n][];
        if (vectorSet != null) {
            System.arraycopy(vectorSet.vectors, 0, vecs, 0, vectorSet.size());   // the same arrays, not copies
        }
        List<List<BoxShape>> lb = new ArrayList<>(n);
        List<List<BoxShape>> pb = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            lb.add(labeled.get(i));   // null: the frame has no box label in this label set
            pb.add(predicted.get(i));
        }
        return new Snapshot(List.copyOf(frameIds), List.copyOf(classes), vecs, labels, probs, splits, metadata, answers,
                List.copyOf(labelerIds), lb, pb, vectorSet, vectorsReused);
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
