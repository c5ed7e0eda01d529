package dev.shoal.embedding.catalog;

import dev.shoal.embedding.catalog.FrameCatalogRepository.FrameKey;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Frames the pipeline could not embed ({@code embedding_failure}): one row per frame, its latest failure, written in
 * batches and deleted when the frame gets a vector. What {@code embedding-state} reports and {@code re-embed} with
 * {@code only_missing} retries.
 */
@ApplicationScoped
public class EmbeddingFailureRepository {

    /** One failed frame. {@code modelVersion} null when no model was there to embed it ({@code noModel}). */
    public record Failure(String datasetId, String frameId, String modality, String modelVersion, boolean noModel,
                          String reason) {
    }

    /** A dataset's failed frames: how many, how many for want of a model, the most frequent reasons. */
    public record Summary(long frames, long noModel, Map<String, Long> topReasons) {
    }

    @Inject
    AgroalDataSource ds;

    /** Records failures (the last of a frame wins), in one statement. */
    public void record(List<Failure> failures) {
        Map<FrameKey, Failure> distinct = new LinkedHashMap<>();
        for (Failure f : failures) {
            distinct.put(new FrameKey(f.datasetId(), f.frameId()), f);
        }
        if (distinct.isEmpty()) {
            return;
        }
        int n = distinct.size();
        String[] dsIds = new String[n], ids = new String[n], modalities = new String[n], models = new String[n], reasons = new String[n];
        Boolean[] noModel = new Boolean[n];
        int i = 0;
        for (Failure f : distinct.values()) {
            dsIds[i] = f.datasetId();
            ids[i] = f.frameId();
            modalities[i] = f.modality();
            models[i] = f.modelVersion();
            noModel[i] = f.noModel();
            reasons[i] = f.reason();
            i++;
        }
        String sql = """
                insert into embedding_failure (dataset_id, frame_id, modality, model_version, no_model, reason)
                select * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[], ?::text[])
                on conflict (dataset_id, frame_id) do update set modality = excluded.modality,
                  model_version = excluded.model_version, no_model = excluded.no_model, reason = excluded.reason,
                  failed_at = now()""";
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("text", dsIds));
            ps.setArray(2, c.createArrayOf("text", ids));
            ps.setArray(3, c.createArrayOf("text", modalities));
            ps.setArray(4, c.createArrayOf("text", models));
            ps.setArray(5, c.createArrayOf("boolean", noModel));
            ps.setArray(6, c.createArrayOf("text", reasons));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("embedding failure batch insert failed: " + e.getMessage(), e);
        }
    }

    /** Deletes the failures of frames that got a vector, in one statement. */
    public void clear(Collection<FrameKey> frames) {
        if (frames.isEmpty()) {
            return;
        }
        String[] dsIds = new String[frames.size()], ids = new String[frames.size()];
        int i = 0;
        for (FrameKey k : frames) {
            dsIds[i] = k.datasetId();
            ids[i] = k.frameId();
            i++;
        }
        String sql = """
                delete from embedding_failure f using unnest(?::text[], ?::text[]) as k(dataset_id, frame_id)
                where f.dataset_id = k.dataset_id and f.frame_id = k.frame_id""";
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("text", dsIds));
            ps.setArray(2, c.createArrayOf("text", ids));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("embedding failure delete failed: " + e.getMessage(), e);
        }
    }

    /** The failed frames of a dataset, with at most {@code topReasons} reasons, most frequent first. */
    public Summary summary(String datasetId, int topReasons) {
        String counts = "select count(*), count(*) filter (where no_model) from embedding_failure where dataset_id = ?";
        String reasons = """
                select reason, count(*) as n from embedding_failure where dataset_id = ?
                group by reason order by n desc, reason limit ?""";
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(counts);
             PreparedStatement pr = c.prepareStatement(reasons)) {
            ps.setString(1, datasetId);
            long frames;
            long noModel;
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                frames = rs.getLong(1);
                noModel = rs.getLong(2);
            }
            pr.setString(1, datasetId);
            pr.setInt(2, topReasons);
            Map<String, Long> top = new LinkedHashMap<>();
            try (ResultSet rs = pr.executeQuery()) {
                while (rs.next()) {
                    top.put(rs.getString(1), rs.getLong(2));
                }
            }
            return new Summary(frames, noModel, top);
        } catch (SQLException e) {
            throw new IllegalStateException("embedding failure query failed: " + e.getMessage(), e);
        }
    }

    /** The ids of a dataset's failed frames. */
    public Set<String> frameIds(String datasetId) {
        return strings("select frame_id from embedding_failure where dataset_id = ?", datasetId);
    }

    /** Datasets with frames that failed because no model for this modality ({@code MODALITY_IMAGE}...) was loaded. */
    public Set<String> datasetsWithoutModel(String modality) {
        return strings("select distinct dataset_id from embedding_failure where no_model and modality = ?", modality);
    }

    /** Whether a frame of the dataset failed because no model for this modality was loaded. */
    public boolean anyWithoutModel(String datasetId, String modality) {
        return !strings("""
                select dataset_id from embedding_failure where dataset_id = ? and no_model and modality = ? limit 1""",
                datasetId, modality).isEmpty();
    }

    private Set<String> strings(String sql, String... args) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            Set<String> out = new HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("embedding failure query failed: " + e.getMessage(), e);
        }
    }
}
