package dev.shoal.embedding.catalog;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Frames and classification labels as the embedding service has seen them in events (natural-key upserts, so
 * replays are harmless). The label of a frame is its most recently updated classification label.
 */
@ApplicationScoped
public class FrameCatalogRepository {

    /** One frame; {@code label} / {@code labelerId} null when unlabeled. */
    public record CatalogFrame(String datasetId, String frameId, List<String> uris, String modality, String split,
                               String label, String labelerId) {
    }

    @Inject
    AgroalDataSource ds;

    public void upsertFrame(String datasetId, String frameId, List<String> uris, String modality, String split) {
        exec("""
                insert into frame_catalog (dataset_id, frame_id, uris, modality, split) values (?, ?, ?, ?, ?)
                on conflict (dataset_id, frame_id) do update set uris = excluded.uris, modality = excluded.modality,
                  split = excluded.split, updated_at = now()""", datasetId, frameId, String.join("\n", uris), modality, split);
    }

    public void upsertLabel(String datasetId, String frameId, String labelSet, String labelerId, String className) {
        exec("""
                insert into frame_label (dataset_id, frame_id, label_set, labeler_id, class_name) values (?, ?, ?, ?, ?)
                on conflict (dataset_id, frame_id, label_set, labeler_id) do update set class_name = excluded.class_name,
                  updated_at = now()""", datasetId, frameId, labelSet, labelerId, className);
    }

    public Optional<CatalogFrame> find(String datasetId, String frameId) {
        List<CatalogFrame> rows = query(SELECT + " where f.dataset_id = ? and f.frame_id = ?", datasetId, frameId);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /** Every frame of a dataset, in frame-id order, with its latest label. */
    public List<CatalogFrame> dataset(String datasetId) {
        return query(SELECT + " where f.dataset_id = ? order by f.frame_id", datasetId);
    }

    private static final String SELECT = """
            select f.dataset_id, f.frame_id, f.uris, f.modality, f.split, l.class_name, l.labeler_id
            from frame_catalog f
            left join lateral (select class_name, labeler_id from frame_label x
                               where x.dataset_id = f.dataset_id and x.frame_id = f.frame_id
                               order by x.updated_at desc limit 1) l on true""";

    private List<CatalogFrame> query(String sql, Object... args) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<CatalogFrame> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new CatalogFrame(rs.getString(1), rs.getString(2), List.of(rs.getString(3).split("\n")),
                            rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("frame catalog query failed: " + e.getMessage(), e);
        }
    }

    private void exec(String sql, Object... args) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("frame catalog update failed: " + e.getMessage(), e);
        }
    }
}
