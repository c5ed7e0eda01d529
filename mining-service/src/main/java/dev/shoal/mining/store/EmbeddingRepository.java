package dev.shoal.mining.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select source, count(*) from embedding where dataset_id = ? and model_id = ? and model_version = ?
                     group by source""")) {
            ps.setString(1, datasetId);
            ps.setString(2, modelId);
            ps.setString(3, modelVersion);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Model ids that have embeddings of this version in the dataset (to fill in an omitted model id). */
    public List<String> modelIdsForVersion(String datasetId, String modelVersion) {
        List<String> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "select distinct model_id from embedding where dataset_id = ? and model_version = ? order by model_id")) {
            ps.setString(1, datasetId);
            ps.setString(2, modelVersion);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Streams user vectors with a server-side cursor of {@code pageSize} rows. */
    public void streamUserVectors(String datasetId, String modelId, String modelVersion, int pageSize,
                                  BiConsumer<String, float[]> sink) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    select frame_id, vector from embedding
                    where dataset_id = ? and model_id = ? and model_version = ? and source = 'user' order by frame_id""")) {
                ps.setFetchSize(pageSize);
                ps.setString(1, datasetId);
                ps.setString(2, modelId);
                ps.setString(3, modelVersion);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        sink.accept(rs.getString(1), Floats.fromBytes(rs.getBytes(2)));
                    }
                }
            } finally {
                c.commit();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public void fetchUserVectors(String datasetId, String modelId, String modelVersion, Collection<String> frameIds,
                                 BiConsumer<String, float[]> sink) {
        List<String> ids = new ArrayList<>(frameIds);
        for (int from = 0; from < ids.size(); from += 1000) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 1000));
            try (Connection c = dataSource.getConnection();
                 PreparedStatement ps = c.prepareStatement("""
                         select frame_id, vector from embedding where dataset_id = ? and model_id = ? and model_version = ?
                         and source = 'user' and frame_id = any (?)""")) {
                ps.setString(1, datasetId);
                ps.setString(2, modelId);
                ps.setString(3, modelVersion);
                ps.setArray(4, c.createArrayOf("text", chunk.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        sink.accept(rs.getString(1), Floats.fromBytes(rs.getBytes(2)));
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
