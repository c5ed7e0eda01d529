package dev.shoal.mining.store;

import dev.shoal.mining.domain.ReadModel.EmbeddingRow;
import dev.shoal.mining.domain.ReadModel.FrameRow;
import dev.shoal.mining.domain.ReadModel.InferenceRow;
import dev.shoal.mining.domain.ReadModel.LabelRow;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Writes the read model. Each event is applied in one transaction together with its event_id in
 * {@code processed_event}: a replayed event changes nothing (exactly-once effect over at-least-once delivery),
 * and every real change bumps the dataset watermark that analysis fingerprints include.
 */
@ApplicationScoped
public class ReadModelRepository {

    @Inject
    DataSource dataSource;

    /** Result of applying one event. */
    public enum Applied { DUPLICATE_EVENT, UNCHANGED, CHANGED }

    public Applied applyFrame(String eventId, String topic, FrameRow f) {
        return inTx(eventId, topic, f.datasetId(), c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into frame (dataset_id, frame_id, split, uris, metadata, seq)
                    values (?, ?, ?, ?, ?, nextval('change_seq'))
                    on conflict (dataset_id, frame_id) do update
                      set split = excluded.split, uris = excluded.uris, metadata = excluded.metadata, seq = excluded.seq
                      where (frame.split, frame.uris, frame.metadata)
                            is distinct from (excluded.split, excluded.uris, excluded.metadata)""")) {
                ps.setString(1, f.datasetId());
                ps.setString(2, f.frameId());
                ps.setString(3, f.split());
                ps.setString(4, Json.write(f.uris()));
                ps.setString(5, Json.write(new java.util.TreeMap<>(f.metadata())));
                return ps.executeUpdate();
            }
        });
    }

    public Applied applyLabel(String eventId, String topic, LabelRow l) {
        return inTx(eventId, topic, l.datasetId(), c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into label (dataset_id, frame_id, label_set, labeler_id, kind, class_name, shapes, seq)
                    values (?, ?, ?, ?, ?, ?, ?, nextval('change_seq'))
                    on conflict (dataset_id, frame_id, label_set, labeler_id) do update
                      set kind = excluded.kind, class_name = excluded.class_name, shapes = excluded.shapes, seq = excluded.seq
                      where (label.kind, label.class_name, label.shapes)
                            is distinct from (excluded.kind, excluded.class_name, excluded.shapes)""")) {
                ps.setString(1, l.datasetId());
                ps.setString(2, l.frameId());
                ps.setString(3, l.labelSet());
                ps.setString(4, l.labelerId());
                ps.setString(5, l.kind());
                ps.setString(6, l.className());
                ps.setString(7, l.shapesJson());
                return ps.executeUpdate();
            }
        });
    }

    public Applied applyInference(String eventId, String topic, InferenceRow i) {
        return inTx(eventId, topic, i.datasetId(), c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into inference (dataset_id, frame_id, model_id, model_version, kind, class_names, probs, shapes, seq)
                    values (?, ?, ?, ?, ?, ?, ?, ?, nextval('change_seq'))
                    on conflict (dataset_id, frame_id, model_id, model_version) do update
                      set kind = excluded.kind, class_names = excluded.class_names, probs = excluded.probs,
                          shapes = excluded.shapes, seq = excluded.seq
                      where (inference.kind, inference.class_names, inference.probs, inference.shapes)
                            is distinct from (excluded.kind, excluded.class_names, excluded.probs, excluded.shapes)""")) {
                ps.setString(1, i.datasetId());
                ps.setString(2, i.frameId());
                ps.setString(3, i.modelId());
                ps.setString(4, i.modelVersion());
                ps.setString(5, i.kind());
                ps.setString(6, i.classNames() == null ? null : Json.write(i.classNames()));
                ps.setBytes(7, i.probs() == null ? null : Floats.toBytes(i.probs()));
                ps.setString(8, i.shapesJson());
                return ps.executeUpdate();
            }
        });
    }

    /**
     * A user-supplied vector always wins; a computed-embedding notice (no vector) never overwrites a user vector
     * stored under the same key. Each case is one whole statement (no SQL pieced together), and each is run
     * against PostgreSQL by {@code ReadModelConsumerTest}.
     */
    public Applied applyEmbedding(String eventId, String topic, EmbeddingRow e) {
        String sql = "user".equals(e.source()) ? UPSERT_USER_EMBEDDING : UPSERT_COMPUTED_EMBEDDING;
        return inTx(eventId, topic, e.datasetId(), c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, e.datasetId());
                ps.setString(2, e.frameId());
                ps.setString(3, e.modelId());
                ps.setString(4, e.modelVersion());
                ps.setString(5, e.source());
                ps.setInt(6, e.dimension());
                ps.setBytes(7, e.vector() == null ? null : Floats.toBytes(e.vector()));
                return ps.executeUpdate();
            }
        });
    }

    /** A user vector replaces whatever is stored under its key when anything differs. */
    static final String UPSERT_USER_EMBEDDING = """
            insert into embedding (dataset_id, frame_id, model_id, model_version, source, dimension, vector, seq)
            values (?, ?, ?, ?, ?, ?, ?, nextval('change_seq'))
            on conflict (dataset_id, frame_id, model_id, model_version) do update
              set source = excluded.source, dimension = excluded.dimension, vector = excluded.vector, seq = excluded.seq
              where (embedding.source, embedding.dimension, embedding.vector)
                    is distinct from (excluded.source, excluded.dimension, excluded.vector)""";

    /** A computed-embedding notice only updates a computed row, and only when its dimension changed. */
    static final String UPSERT_COMPUTED_EMBEDDING = """
            insert into embedding (dataset_id, frame_id, model_id, model_version, source, dimension, vector, seq)
            values (?, ?, ?, ?, ?, ?, ?, nextval('change_seq'))
            on conflict (dataset_id, frame_id, model_id, model_version) do update
              set source = excluded.source, dimension = excluded.dimension, vector = excluded.vector, seq = excluded.seq
              where embedding.source = 'computed' and embedding.dimension <> excluded.dimension""";

    /** Whether the dataset has any label in the label set. */
    public boolean hasLabels(String datasetId, String labelSet) {
        return !Jdbc.list(dataSource, "select 1 from label where dataset_id = ? and label_set = ? limit 1",
                List.of(datasetId, labelSet), rs -> 1).isEmpty();
    }

    /** Whether the dataset has any inference of the model version. */
    public boolean hasInferences(String datasetId, String modelId, String modelVersion) {
        return !Jdbc.list(dataSource, "select 1 from inference where dataset_id = ? and model_id = ? and model_version = ? limit 1",
                List.of(datasetId, modelId, modelVersion), rs -> 1).isEmpty();
    }

    public long countFrames(String datasetId) {
        return count("select count(*) from frame where dataset_id = ?", datasetId);
    }

    public long countLabels(String datasetId, String labelSet) {
        return count("select count(*) from label where dataset_id = ? and label_set = ?", datasetId, labelSet);
    }

    public long countInferences(String datasetId, String modelId, String modelVersion) {
        return count("select count(*) from inference where dataset_id = ? and model_id = ? and model_version = ?",
                datasetId, modelId, modelVersion);
    }

    public long countEmbeddings(String datasetId, String modelId, String modelVersion) {
        return count("select count(*) from embedding where dataset_id = ? and model_id = ? and model_version = ?",
                datasetId, modelId, modelVersion);
    }

    /** What the read model holds of a dataset, keyed like ingest's stats: labels per label set, rows per model version. */
    public java.util.Map<String, Long> datasetCounts(String datasetId) {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        out.put("frames", countFrames(datasetId));
        Jdbc.list(dataSource, "select label_set, count(*) from label where dataset_id = ? group by label_set",
                List.of(datasetId), rs -> out.put("labels:" + rs.getString(1), rs.getLong(2)));
        Jdbc.list(dataSource, "select model_id, model_version, count(*) from inference where dataset_id = ? group by 1, 2",
                List.of(datasetId), rs -> out.put("inferences:" + rs.getString(1) + ":" + rs.getString(2), rs.getLong(3)));
        Jdbc.list(dataSource, "select model_id, model_version, count(*) from embedding where dataset_id = ? group by 1, 2",
                List.of(datasetId), rs -> out.put("vectors:" + rs.getString(1) + ":" + rs.getString(2), rs.getLong(3)));
        return out;
    }

    private long count(String sql, Object... args) {
        return Jdbc.list(dataSource, sql, List.of(args), rs -> rs.getLong(1)).get(0);
    }

    /** The dataset's data watermark: the change sequence of its latest change (0 when nothing is stored). */
    public long watermark(String datasetId) {
        return Jdbc.list(dataSource, "select seq from dataset_watermark where dataset_id = ?", List.of(datasetId),
                rs -> rs.getLong(1)).stream().findFirst().orElse(0L);
    }

    @FunctionalInterface
    private interface Upsert {
        int apply(Connection c) throws SQLException;
    }

    private Applied inTx(String eventId, String topic, String datasetId, Upsert upsert) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement(
                        "insert into processed_event (event_id, topic) values (?, ?) on conflict do nothing")) {
                    ps.setString(1, eventId);
                    ps.setString(2, topic);
                    if (ps.executeUpdate() == 0) {
                        c.rollback();
                        return Applied.DUPLICATE_EVENT;
                    }
                }
                int changed = upsert.apply(c);
                if (changed > 0) {
                    try (PreparedStatement ps = c.prepareStatement("""
                            insert into dataset_watermark (dataset_id, seq) values (?, nextval('change_seq'))
                            on conflict (dataset_id) do update set seq = excluded.seq""")) {
                        ps.setString(1, datasetId);
                        ps.executeUpdate();
                    }
                }
                c.commit();
                return changed > 0 ? Applied.CHANGED : Applied.UNCHANGED;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("read model write failed: " + e.getMessage(), e);
        }
    }
}
