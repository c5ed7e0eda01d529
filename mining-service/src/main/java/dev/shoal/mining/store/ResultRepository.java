package dev.shoal.mining.store;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.shoal.mining.domain.Issue;
import dev.shoal.mining.domain.Results.ClusterSummary;
import dev.shoal.mining.domain.Results.DuplicateGroup;
import dev.shoal.mining.domain.Results.LabelerQuality;
import dev.shoal.mining.domain.Results.MapPoint;
import dev.shoal.mining.domain.Results.MetadataSlice;
import dev.shoal.mining.domain.Results.Outlier;
import dev.shoal.mining.domain.Results.Page;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** Everything analyses find, written in batches and read in pages. */
@ApplicationScoped
public class ResultRepository {

    private static final int BATCH = 1000;

    @Inject
    DataSource dataSource;

    // ------------------------------------------------------------------ writes

    public void deleteResults(String analysisId) {
        for (String t : List.of("issue", "cluster_member", "cluster", "metadata_slice", "outlier", "duplicate_group",
                "map_point", "labeler_quality")) {
            exec("delete from " + t + " where analysis_id = ?", analysisId);
        }
    }

    /**
     * Inserts issues. Ids are stable per analysis fingerprint ({@link Issue#stableId}), so a new job for the inputs of
     * a failed one meets that job's rows: they move to the new job with the new scores, keeping a person's triage.
     */
    public void insertIssues(List<Issue> issues) {
        batch("""
                insert into issue (id, analysis_id, dataset_id, frame_id, type, given_label, suggested_label, score, scores,
                  state, note, label_set, model_id, model_version, rank) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (id) do update set analysis_id = excluded.analysis_id, given_label = excluded.given_label,
                  suggested_label = excluded.suggested_label, score = excluded.score, scores = excluded.scores,
                  rank = excluded.rank, updated_at = now()""",
                issues, (ps, i) -> {
                    ps.setString(1, i.id());
                    ps.setString(2, i.analysisId());
                    ps.setString(3, i.datasetId());
                    ps.setString(4, i.frameId());
                    ps.setString(5, i.type());
                    ps.setString(6, i.givenLabel());
                    ps.setString(7, i.suggestedLabel());
                    ps.setDouble(8, i.score());
                    ps.setString(9, Json.write(i.scores()));
                    ps.setString(10, i.state());
                    ps.setString(11, i.note());
                    ps.setString(12, i.labelSet());
                    ps.setString(13, i.modelId());
                    ps.setString(14, i.modelVersion());
                    ps.setInt(15, i.rank());
                });
    }

    public void insertClusters(List<ClusterSummary> clusters) {
        batch("""
                insert into cluster (analysis_id, method, cluster_id, size, class_mix, accuracy, error_rate, overall_error_rate,
                  lift, p_value, rank, q_value, significant, errors) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", clusters, (ps, c) -> {
            ps.setString(1, c.analysisId());
            ps.setString(2, c.method());
            ps.setInt(3, c.clusterId());
            ps.setInt(4, c.size());
            ps.setString(5, Json.write(c.classMix()));
            setDouble(ps, 6, c.accuracy());
            setDouble(ps, 7, c.errorRate());
            setDouble(ps, 8, c.overallErrorRate());
            setDouble(ps, 9, c.lift());
            setDouble(ps, 10, c.pValue());
            ps.setInt(11, c.rank());
            setDouble(ps, 12, c.qValue());
            ps.setBoolean(13, c.significant());
            if (c.errors() == null) {
                ps.setNull(14, Types.INTEGER);
            } else {
                ps.setInt(14, c.errors());
            }
        });
    }

    public record Member(String analysisId, String method, int clusterId, String frameId) {
    }

    public void insertMembers(List<Member> members) {
        batch("insert into cluster_member (analysis_id, method, cluster_id, frame_id) values (?, ?, ?, ?)", members, (ps, m) -> {
            ps.setString(1, m.analysisId());
            ps.setString(2, m.method());
            ps.setInt(3, m.clusterId());
            ps.setString(4, m.frameId());
        });
    }

    public void insertSlices(List<MetadataSlice> slices) {
        batch("""
                insert into metadata_slice (analysis_id, meta_key, meta_value, size, error_rate, overall_error_rate, lift, p_value,
                  q_value, significant, errors, rank) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", slices, (ps, s) -> {
            ps.setString(1, s.analysisId());
            ps.setString(2, s.key());
            ps.setString(3, s.value());
            ps.setInt(4, s.size());
            ps.setDouble(5, s.errorRate());
            ps.setDouble(6, s.overallErrorRate());
            setDouble(ps, 7, s.lift());
            setDouble(ps, 8, s.pValue());
            setDouble(ps, 9, s.qValue());
            ps.setBoolean(10, s.significant());
            ps.setInt(11, s.errors());
            ps.setInt(12, s.rank());
        });
    }

    public void insertOutliers(List<Outlier> outliers) {
        batch("insert into outlier (analysis_id, frame_id, knn_score, lof_score, rank) values (?, ?, ?, ?, ?)", outliers, (ps, o) -> {
            ps.setString(1, o.analysisId());
            ps.setString(2, o.frameId());
            ps.setDouble(3, o.knnScore());
            setDouble(ps, 4, o.lofScore());
            ps.setInt(5, o.rank());
        });
    }

    public void insertDuplicates(List<DuplicateGroup> groups) {
        batch("""
                insert into duplicate_group (analysis_id, group_id, representative, frame_ids, splits, min_similarity,
                  crosses_splits) values (?, ?, ?, ?, ?, ?, ?)""", groups, (ps, g) -> {
            ps.setString(1, g.analysisId());
            ps.setInt(2, g.groupId());
            ps.setString(3, g.representative());
            ps.setString(4, Json.write(g.frameIds()));
            ps.setString(5, Json.write(g.splits()));
            ps.setDouble(6, g.minSimilarity());
            ps.setBoolean(7, g.crossesSplits());
        });
    }

    public record IndexedPoint(String analysisId, int idx, MapPoint point) {
    }

    public void insertMapPoints(List<IndexedPoint> points) {
        batch("insert into map_point (analysis_id, idx, frame_id, x, y, label, cluster_id) values (?, ?, ?, ?, ?, ?, ?)",
                points, (ps, p) -> {
                    ps.setString(1, p.analysisId());
                    ps.setInt(2, p.idx());
                    ps.setString(3, p.point().frameId());
                    ps.setFloat(4, p.point().x());
                    ps.setFloat(5, p.point().y());
                    ps.setString(6, p.point().label());
                    if (p.point().clusterId() == null) {
                        ps.setNull(7, Types.INTEGER);
                    } else {
                        ps.setInt(7, p.point().clusterId());
                    }
                });
    }

    public void insertLabelerQuality(List<LabelerQuality> rows) {
        batch("""
                insert into labeler_quality (analysis_id, labeler_id, method, quality, accuracy, agreement, labels, confusion)
                values (?, ?, ?, ?, ?, ?, ?, ?)""", rows, (ps, q) -> {
                    ps.setString(1, q.analysisId());
                    ps.setString(2, q.labelerId());
                    ps.setString(3, q.method());
                    ps.setDouble(4, q.quality());
                    ps.setDouble(5, q.accuracy());
                    setDouble(ps, 6, q.agreement());
                    ps.setInt(7, q.labels());
                    ps.setString(8, Json.write(q.confusion()));
                });
    }

    // ------------------------------------------------------------------ issues

    public Page<Issue> issues(String analysisId, String type, String state, int page, int pageSize) {
        StringBuilder where = new StringBuilder(" where analysis_id = ?");
        List<Object> args = new ArrayList<>(List.of(analysisId));
        if (type != null && !type.isBlank()) {
            where.append(" and type = ?");
            args.add(type);
        }
        if (state != null && !state.isBlank()) {
            where.append(" and state = ?");
            args.add(state);
        }
        long total = count("select count(*) from issue" + where, args);
        List<Object> pageArgs = new ArrayList<>(args);
        pageArgs.add(pageSize);
        pageArgs.add((long) page * pageSize);
        List<Issue> items = list("select * from issue" + where + " order by rank limit ? offset ?", pageArgs, ResultRepository::issue);
        return new Page<>(items, total, page, pageSize);
    }

    public Optional<Issue> issue(String id) {
        List<Issue> l = list("select * from issue where id = ?", List.of(id), ResultRepository::issue);
        return l.stream().findFirst();
    }

    public Optional<Issue> triage(String id, String state, String type, String note) {
        exec("update issue set state = ?, type = ?, note = coalesce(?::text, note), updated_at = now() where id = ?", state, type, note, id);
        return issue(id);
    }

    /** The class a triage wrote back for this issue's frame. */
    public void correctedLabel(String id, String className) {
        exec("update issue set corrected_label = ?, updated_at = now() where id = ?", className, id);
    }

    /** The class names the dataset's labels and classification inferences use. */
    public java.util.Set<String> classNames(String datasetId) {
        java.util.Set<String> out = new java.util.TreeSet<>(list(
                "select distinct class_name from label where dataset_id = ? and class_name is not null",
                List.of(datasetId), rs -> rs.getString(1)));
        for (String json : list("select distinct class_names from inference where dataset_id = ? and class_names is not null",
                List.of(datasetId), rs -> rs.getString(1))) {
            out.addAll(Json.read(json, new TypeReference<List<String>>() { }));
        }
        return out;
    }

    // ------------------------------------------------------------------ other results

    public List<ClusterSummary> clusters(String analysisId, String method) {
        String sql = "select * from cluster where analysis_id = ?" + (method == null ? "" : " and method = ?") + " order by method, rank";
        return list(sql, method == null ? List.of(analysisId) : List.of(analysisId, method), rs -> new ClusterSummary(
                rs.getString("analysis_id"), rs.getString("method"), rs.getInt("cluster_id"), rs.getInt("size"),
                Json.read(rs.getString("class_mix"), new TypeReference<Map<String, Integer>>() { }), integer(rs, "errors"),
                dbl(rs, "accuracy"), dbl(rs, "error_rate"), dbl(rs, "overall_error_rate"), dbl(rs, "lift"),
                dbl(rs, "p_value"), dbl(rs, "q_value"), rs.getBoolean("significant"), rs.getInt("rank")));
    }

    public Page<String> clusterMembers(String analysisId, String method, int clusterId, int page, int pageSize) {
        List<Object> args = List.of(analysisId, method, clusterId);
        long total = count("select count(*) from cluster_member where analysis_id = ? and method = ? and cluster_id = ?", args);
        List<String> ids = list("select frame_id from cluster_member where analysis_id = ? and method = ? and cluster_id = ? "
                + "order by frame_id limit ? offset ?", List.of(analysisId, method, clusterId, pageSize, (long) page * pageSize),
                rs -> rs.getString(1));
        return new Page<>(ids, total, page, pageSize);
    }

    public List<String> allClusterMembers(String analysisId, String method, int clusterId) {
        return list("select frame_id from cluster_member where analysis_id = ? and method = ? and cluster_id = ? order by frame_id",
                List.of(analysisId, method, clusterId), rs -> rs.getString(1));
    }

    public List<MetadataSlice> slices(String analysisId) {
        return list("select * from metadata_slice where analysis_id = ? order by rank", List.of(analysisId),
                rs -> new MetadataSlice(rs.getString("analysis_id"), rs.getString("meta_key"), rs.getString("meta_value"),
                        rs.getInt("size"), rs.getInt("errors"), rs.getDouble("error_rate"), rs.getDouble("overall_error_rate"),
                        dbl(rs, "lift"), dbl(rs, "p_value"), dbl(rs, "q_value"), rs.getBoolean("significant"), rs.getInt("rank")));
    }

    public Page<Outlier> outliers(String analysisId, int page, int pageSize) {
        long total = count("select count(*) from outlier where analysis_id = ?", List.of(analysisId));
        List<Outlier> items = list("select * from outlier where analysis_id = ? order by rank limit ? offset ?",
                List.of(analysisId, pageSize, (long) page * pageSize), rs -> new Outlier(rs.getString("analysis_id"),
                        rs.getString("frame_id"), rs.getDouble("knn_score"), dbl(rs, "lof_score"), rs.getInt("rank")));
        return new Page<>(items, total, page, pageSize);
    }

    public Page<DuplicateGroup> duplicates(String analysisId, boolean leakageOnly, int page, int pageSize) {
        String where = " where analysis_id = ?" + (leakageOnly ? " and crosses_splits" : "");
        long total = count("select count(*) from duplicate_group" + where, List.of(analysisId));
        List<DuplicateGroup> items = list("select * from duplicate_group" + where + " order by min_similarity desc, group_id limit ? offset ?",
                List.of(analysisId, pageSize, (long) page * pageSize), rs -> {
                    List<String> frameIds = Json.read(rs.getString("frame_ids"), new TypeReference<List<String>>() { });
                    return new DuplicateGroup(rs.getString("analysis_id"), rs.getInt("group_id"), frameIds.size(),
                            rs.getString("representative"), frameIds,
                            Json.read(rs.getString("splits"), new TypeReference<List<String>>() { }),
                            rs.getDouble("min_similarity"), rs.getBoolean("crosses_splits"));
                });
        return new Page<>(items, total, page, pageSize);
    }

    public Page<MapPoint> mapPoints(String analysisId, int page, int pageSize) {
        long total = count("select count(*) from map_point where analysis_id = ?", List.of(analysisId));
        List<MapPoint> items = list("select * from map_point where analysis_id = ? order by idx limit ? offset ?",
                List.of(analysisId, pageSize, (long) page * pageSize), ResultRepository::mapPoint);
        return new Page<>(items, total, page, pageSize);
    }

    /** Streams every map point of an analysis in pages of {@code fetch} rows (for the gRPC stream). */
    public void streamMapPoints(String analysisId, Consumer<MapPoint> sink) {
        Jdbc.stream(dataSource, "select * from map_point where analysis_id = ? order by idx", List.of(analysisId), 2000,
                rs -> sink.accept(mapPoint(rs)));
    }

    public List<LabelerQuality> labelerQuality(String analysisId) {
        return list("select * from labeler_quality where analysis_id = ? order by coalesce(quality, accuracy), labeler_id",
                List.of(analysisId), rs -> new LabelerQuality(rs.getString("analysis_id"), rs.getString("labeler_id"),
                        rs.getString("method"), dbl(rs, "quality") == null ? rs.getDouble("accuracy") : rs.getDouble("quality"),
                        rs.getDouble("accuracy"), dbl(rs, "agreement"),
                        rs.getInt("labels"), Json.read(rs.getString("confusion"),
                        new TypeReference<Map<String, Map<String, Double>>>() { })));
    }

    // ------------------------------------------------------------------ plumbing

    private static MapPoint mapPoint(ResultSet rs) throws SQLException {
        int cid = rs.getInt("cluster_id");
        return new MapPoint(rs.getString("frame_id"), rs.getFloat("x"), rs.getFloat("y"), rs.getString("label"),
                rs.wasNull() ? null : cid);
    }

    private static Issue issue(ResultSet rs) throws SQLException {
        return new Issue(rs.getString("id"), rs.getString("analysis_id"), rs.getString("dataset_id"), rs.getString("frame_id"),
                rs.getString("type"), rs.getString("given_label"), rs.getString("suggested_label"), rs.getDouble("score"),
                Json.read(rs.getString("scores"), new TypeReference<Map<String, Double>>() { }), rs.getString("state"),
                rs.getString("note"), rs.getString("label_set"), rs.getString("model_id"), rs.getString("model_version"),
                rs.getInt("rank"), rs.getTimestamp("updated_at").toInstant(), rs.getString("corrected_label"));
    }

    private static Integer integer(ResultSet rs, String col) throws SQLException {
        int v = rs.getInt(col);
        return rs.wasNull() ? null : v;
    }

    private static Double dbl(ResultSet rs, String col) throws SQLException {
        double v = rs.getDouble(col);
        return rs.wasNull() ? null : v;
    }

    private static void setDouble(PreparedStatement ps, int i, Double v) throws SQLException {
        if (v == null || v.isNaN() || v.isInfinite()) {
            ps.setNull(i, Types.DOUBLE);
        } else {
            ps.setDouble(i, v);
        }
    }

    @FunctionalInterface
    interface Binder<T> {
        void bind(PreparedStatement ps, T row) throws SQLException;
    }

    private <T> void batch(String sql, List<T> rows, Binder<T> binder) {
        if (rows.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int n = 0;
                for (T row : rows) {
                    binder.bind(ps, row);
                    ps.addBatch();
                    if (++n % BATCH == 0) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> List<T> list(String sql, List<?> args, Jdbc.RowMapper<T> mapper) {
        return Jdbc.list(dataSource, sql, args, mapper);
    }

    private long count(String sql, List<?> args) {
        return list(sql, args, rs -> rs.getLong(1)).get(0);
    }

    private void exec(String sql, Object... args) {
        Jdbc.update(dataSource, sql, args);
    }
}
