package dev.shoal.embedding.catalog;

import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.Modality;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Frames, classification labels and predictions as the embedding service has seen them in events (natural-key
 * upserts, so replays are harmless). The label of a frame is its most recently updated classification label; its
 * prediction is the arg-max class of its most recently updated inference. The pipeline's per-frame reads and
 * writes come in batches ({@link #upsertFrames}, {@link #currentFields}): one statement per micro-batch.
 */
@ApplicationScoped
public class FrameCatalogRepository {

    /** One frame; {@code label} / {@code labelerId} null when unlabeled. */
    public record CatalogFrame(String datasetId, String frameId, List<String> uris, String modality, String split,
                               String label, String labelerId) {

        /** The declared modality; unspecified when the catalog holds a name this build does not know. */
        public Modality modalityValue() {
            try {
                Modality m = Modality.valueOf(modality);
                return m == Modality.UNRECOGNIZED ? Modality.MODALITY_UNSPECIFIED : m;
            } catch (IllegalArgumentException | NullPointerException e) {
                return Modality.MODALITY_UNSPECIFIED;
            }
        }

        /** The frame as an event carried it (id, dataset, URIs, modality; the split stays in the catalog). */
        public Frame toFrame() {
            return Frame.newBuilder().setId(frameId).setDatasetId(datasetId).addAllUris(uris).setModality(modalityValue())
                    .build();
        }
    }

    /** A frame as an event gives it (the input of {@link #upsertFrames}). */
    public record FrameRow(String datasetId, String frameId, List<String> uris, String modality, String split) {
    }

    /** The scalar fields a frame's vectors carry, as the catalog knows them now; any may be null. */
    public record CurrentFields(String split, String label, String labelerId, String prediction) {
        public static final CurrentFields NONE = new CurrentFields(null, null, null, null);
    }

    /** The identity of a frame in the catalog. */
    public record FrameKey(String datasetId, String frameId) {
    }

    @Inject
    AgroalDataSource ds;

    /**
     * Upserts a batch of frames in one statement and says, per frame, whether the catalog held it before this
     * call (a frame seen for the first time cannot have a vector from this pipeline yet). A frame given twice
     * counts once, with its last values.
     *
     * @return for each distinct frame: true when it was already in the catalog
     */
    public Map<FrameKey, Boolean> upsertFrames(List<FrameRow> rows) {
        Map<FrameKey, FrameRow> distinct = new LinkedHashMap<>();
        for (FrameRow r : rows) {
            distinct.put(new FrameKey(r.datasetId(), r.frameId()), r);
        }
        Map<FrameKey, Boolean> existed = new HashMap<>();
        if (distinct.isEmpty()) {
            return existed;
        }
        int n = distinct.size();
        String[] dsIds = new String[n], ids = new String[n], uris = new String[n], modalities = new String[n], splits = new String[n];
        int i = 0;
        for (FrameRow r : distinct.values()) {
            dsIds[i] = r.datasetId();
            ids[i] = r.frameId();
            uris[i] = String.join("\n", r.uris());
            modalities[i] = r.modality();
            splits[i] = r.split();
            i++;
        }
        String sql = """
                with input as (select * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                               as t(dataset_id, frame_id, uris, modality, split)),
                     old as (select f.dataset_id, f.frame_id from frame_catalog f
                             join input i on i.dataset_id = f.dataset_id and i.frame_id = f.frame_id),
                     up as (insert into frame_catalog (dataset_id, frame_id, uris, modality, split)
                            select dataset_id, frame_id, uris, modality, split from input
                            on conflict (dataset_id, frame_id) do update set uris = excluded.uris,
                              modality = excluded.modality, split = excluded.split, updated_at = now()
                            returning 1)
                select i.dataset_id, i.frame_id, o.frame_id is not null
                from input i left join old o on o.dataset_id = i.dataset_id and o.frame_id = i.frame_id""";
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("text", dsIds));
            ps.setArray(2, c.createArrayOf("text", ids));
            ps.setArray(3, c.createArrayOf("text", uris));
            ps.setArray(4, c.createArrayOf("text", modalities));
            ps.setArray(5, c.createArrayOf("text", splits));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    existed.put(new FrameKey(rs.getString(1), rs.getString(2)), rs.getBoolean(3));
                }
            }
            return existed;
        } catch (SQLException e) {
            throw new IllegalStateException("frame catalog batch upsert failed: " + e.getMessage(), e);
        }
    }

    /**
     * The split, current label (and its labeler) and current prediction of each frame, in one statement. Frames the
     * catalog does not know get {@link CurrentFields#NONE}.
     */
    public Map<FrameKey, CurrentFields> currentFields(Collection<FrameKey> keys) {
        Map<FrameKey, CurrentFields> out = new HashMap<>();
        if (keys.isEmpty()) {
            return out;
        }
        String[] dsIds = new String[keys.size()], ids = new String[keys.size()];
        int i = 0;
        for (FrameKey k : keys) {
            dsIds[i] = k.datasetId();
            ids[i] = k.frameId();
            i++;
        }
        String sql = """
                select distinct on (i.dataset_id, i.frame_id) i.dataset_id, i.frame_id, f.split, l.class_name, l.labeler_id,
                       p.class_name
                from unnest(?::text[], ?::text[]) as i(dataset_id, frame_id)
                left join frame_catalog f on f.dataset_id = i.dataset_id and f.frame_id = i.frame_id
                left join lateral (select class_name, labeler_id from frame_label x
                                   where x.dataset_id = i.dataset_id and x.frame_id = i.frame_id
                                   order by x.updated_at desc limit 1) l on true
                left join lateral (select class_name from frame_prediction x
                                   where x.dataset_id = i.dataset_id and x.frame_id = i.frame_id
                                   order by x.updated_at desc limit 1) p on true""";
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            Array a1 = c.createArrayOf("text", dsIds);
            Array a2 = c.createArrayOf("text", ids);
            ps.setArray(1, a1);
            ps.setArray(2, a2);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(new FrameKey(rs.getString(1), rs.getString(2)),
                            new CurrentFields(rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("frame catalog query failed: " + e.getMessage(), e);
        }
        for (FrameKey k : keys) {
            out.putIfAbsent(k, CurrentFields.NONE);
        }
        return out;
    }

    /** The frame's current fields ({@link #currentFields} for one frame). */
    public CurrentFields currentFields(String datasetId, String frameId) {
        FrameKey k = new FrameKey(datasetId, frameId);
        return currentFields(List.of(k)).get(k);
    }

    /** Records a model's latest top predicted class for a frame. */
    public void upsertPrediction(String datasetId, String frameId, String modelId, String modelVersion, String className) {
        exec("""
                insert into frame_prediction (dataset_id, frame_id, model_id, model_version, class_name) values (?, ?, ?, ?, ?)
                on conflict (dataset_id, frame_id, model_id, model_version) do update set class_name = excluded.class_name,
                  updated_at = now()""", datasetId, frameId, modelId, modelVersion, className);
    }

    public void upsertLabel(String datasetId, String frameId, String labelSet, String labelerId, String className) {
        exec("""
                insert into frame_label (dataset_id, frame_id, label_set, labeler_id, class_name) values (?, ?, ?, ?, ?)
                on conflict (dataset_id, frame_id, label_set, labeler_id) do update set class_name = excluded.class_name,
                  updated_at = now()""", datasetId, frameId, labelSet, labelerId, className);
    }

    /** Whether the catalog holds at least one frame of the dataset. */
    public boolean hasDataset(String datasetId) {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("select 1 from frame_catalog where dataset_id = ? limit 1")) {
            ps.setString(1, datasetId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("frame catalog query failed: " + e.getMessage(), e);
        }
    }

    /** Every frame of a dataset, in frame-id order, with its latest label. */
    public List<CatalogFrame> dataset(String datasetId) {
        return query(SELECT + " where f.dataset_id = ? order by f.frame_id", datasetId);
    }

    /** Every frame of a dataset, in frame-id order, with its latest label of one label set (null when it has none). */
    public List<CatalogFrame> dataset(String datasetId, String labelSet) {
        return query("""
                select f.dataset_id, f.frame_id, f.uris, f.modality, f.split, l.class_name, l.labeler_id
                from frame_catalog f
                left join lateral (select class_name, labeler_id from frame_label x
                                   where x.dataset_id = f.dataset_id and x.frame_id = f.frame_id and x.label_set = ?
                                   order by x.updated_at desc limit 1) l on true
                where f.dataset_id = ? order by f.frame_id""", labelSet, datasetId);
    }

    /** A label set of a dataset: how many of its frames that may hold images carry a label of it, in how many classes. */
    public record LabelSetCount(String labelSet, int labeledFrames, int classes) {
    }

    /**
     * The label sets of a dataset's frames that are not declared text (image or unspecified), most labeled frames
     * first (then by name). A frame labeled by several labelers counts once.
     */
    public List<LabelSetCount> labelSets(String datasetId) {
        return select("""
                select l.label_set, count(distinct l.frame_id), count(distinct l.class_name)
                from frame_label l join frame_catalog f on f.dataset_id = l.dataset_id and f.frame_id = l.frame_id
                where l.dataset_id = ? and f.modality <> 'MODALITY_TEXT'
                group by l.label_set order by 2 desc, 1""",
                rs -> new LabelSetCount(rs.getString(1), rs.getInt(2), rs.getInt(3)), datasetId);
    }

    /** A dataset's frames in the catalog by declared modality name ({@code MODALITY_IMAGE}...); empty when unknown. */
    public Map<String, Long> modalityCounts(String datasetId) {
        Map<String, Long> out = new LinkedHashMap<>();
        select("select modality, count(*) from frame_catalog where dataset_id = ? group by modality order by modality",
                rs -> out.put(rs.getString(1), rs.getLong(2)), datasetId);
        return out;
    }

    /** Datasets with at least one frame declared an image. */
    public List<String> datasetsWithImageFrames() {
        return select("select distinct dataset_id from frame_catalog where modality = 'MODALITY_IMAGE' order by 1",
                rs -> rs.getString(1));
    }

    private static final String SELECT = """
            select f.dataset_id, f.frame_id, f.uris, f.modality, f.split, l.class_name, l.labeler_id
            from frame_catalog f
            left join lateral (select class_name, labeler_id from frame_label x
                               where x.dataset_id = f.dataset_id and x.frame_id = f.frame_id
                               order by x.updated_at desc limit 1) l on true""";

    private List<CatalogFrame> query(String sql, Object... args) {
        return select(sql, rs -> new CatalogFrame(rs.getString(1), rs.getString(2), List.of(rs.getString(3).split("\n")),
                rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7)), args);
    }

    /** One result row as a value. */
    private interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> List<T> select(String sql, Row<T> row, Object... args) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row.map(rs));
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
