package dev.shoal.mining.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/** Reads the embedding table: user vectors, and which source each model's vectors come from. */
@ApplicationScoped
public class EmbeddingRepository {

    @Inject
    DataSource dataSource;

    /** How many rows of each source ("user", "computed") a model has in the dataset. */
    public Map<String, Long> sources(String datasetId, String modelId, String modelVersion) {
        Map<String, Long> out = new TreeMap<>();
        Jdbc.list(dataSource, """
                select source, count(*) from embedding where dataset_id = ? and model_id = ? and model_version = ?
                group by source""", List.of(datasetId, modelId, modelVersion), rs -> out.put(rs.getString(1), rs.getLong(2)));
        return out;
    }

    /**
     * What the vector set of a model in a dataset is a function of: how many rows, and the largest and the sum of
     * their change sequence numbers. Every upsert that adds a frame's vector or changes a user-supplied one takes a new
     * sequence number, so such a change (or a removed row) changes this string. A computed vector re-announced under
     * the same model version and dimension does not (the read model keeps the row as it was): a recomputed vector
     * is expected to carry a new model version.
     */
    public String vectorFingerprint(String datasetId, String modelId, String modelVersion) {
        return Jdbc.list(dataSource, """
                select count(*), coalesce(max(seq), 0), coalesce(sum(seq), 0) from embedding
                where dataset_id = ? and model_id = ? and model_version = ?""", List.of(datasetId, modelId, modelVersion),
                rs -> rs.getLong(1) + ":" + rs.getLong(2) + ":" + rs.getBigDecimal(3).toPlainString()).get(0);
    }

    /** Model ids that have embeddings of this version in the dataset (to fill in an omitted model id). */
    public List<String> modelIdsForVersion(String datasetId, String modelVersion) {
        return Jdbc.list(dataSource, "select distinct model_id from embedding where dataset_id = ? and model_version = ? order by 1",
                List.of(datasetId, modelVersion), rs -> rs.getString(1));
    }

    /** Streams user vectors with a server-side cursor of {@code pageSize} rows. */
    public void streamUserVectors(String datasetId, String modelId, String modelVersion, int pageSize,
                                  BiConsumer<String, float[]> sink) {
        Jdbc.stream(dataSource, """
                select frame_id, vector from embedding
                where dataset_id = ? and model_id = ? and model_version = ? and source = 'user' order by frame_id""",
                List.of(datasetId, modelId, modelVersion), pageSize,
                rs -> sink.accept(rs.getString(1), Floats.fromBytes(rs.getBytes(2))));
    }

    public void fetchUserVectors(String datasetId, String modelId, String modelVersion, Collection<String> frameIds,
                                 BiConsumer<String, float[]> sink) {
        List<String> ids = new ArrayList<>(frameIds);
        for (int from = 0; from < ids.size(); from += 1000) {
            String[] chunk = ids.subList(from, Math.min(ids.size(), from + 1000)).toArray(String[]::new);
            Jdbc.list(dataSource, """
                    select frame_id, vector from embedding where dataset_id = ? and model_id = ? and model_version = ?
                    and source = 'user' and frame_id = any (?)""", List.of(datasetId, modelId, modelVersion, chunk), rs -> {
                sink.accept(rs.getString(1), Floats.fromBytes(rs.getBytes(2)));
                return null;
            });
        }
    }
}
