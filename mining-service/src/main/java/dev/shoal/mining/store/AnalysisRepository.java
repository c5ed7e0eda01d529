package dev.shoal.mining.store;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.shoal.mining.domain.Analysis;
import dev.shoal.mining.domain.DataProgress;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Analysis jobs: state, progress, the input fingerprint that lets a second identical request reuse a result. */
@ApplicationScoped
public class AnalysisRepository {

    @Inject
    DataSource dataSource;

    private static final String COLUMNS = "id, fingerprint, dataset_id, label_set, model_id, model_version, embedding_model_id, "
            + "embedding_model_version, kinds, watermark, state, percent_done, error, summary, created_at, finished_at, data";

    /** Inserts a queued analysis unless a live one with the same fingerprint exists; returns the live one either way. */
    public Analysis createOrGet(Analysis a) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     insert into analysis (id, fingerprint, dataset_id, label_set, model_id, model_version,
                       embedding_model_id, embedding_model_version, kinds, watermark, state, data)
                     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                     on conflict (fingerprint) where state <> 'failed' do nothing""")) {
            ps.setString(1, a.id());
            ps.setString(2, a.fingerprint());
            ps.setString(3, a.datasetId());
            ps.setString(4, a.labelSet());
            ps.setString(5, a.modelId());
            ps.setString(6, a.modelVersion());
            ps.setString(7, a.embeddingModelId());
            ps.setString(8, a.embeddingModelVersion());
            ps.setString(9, Json.write(a.kinds()));
            ps.setLong(10, a.watermark());
            ps.setString(11, a.state());
            ps.setString(12, a.data() == null ? null : Json.write(a.data()));
            boolean created = ps.executeUpdate() == 1;
            Analysis live = findLive(a.fingerprint()).orElseThrow();
            return live.withReused(!created);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public Optional<Analysis> findLive(String fingerprint) {
        return one("select " + COLUMNS + " from analysis where fingerprint = ? and state <> 'failed'", fingerprint);
    }

    public Optional<Analysis> get(String id) {
        return one("select " + COLUMNS + " from analysis where id = ?", id);
    }

    public List<Analysis> unfinished() {
        return Jdbc.list(dataSource, "select " + COLUMNS + " from analysis where state in ('queued', 'waiting_for_data', 'running') order by created_at",
                List.of(), AnalysisRepository::map);
    }

    public void progress(String id, String state, int percent) {
        Jdbc.update(dataSource, "update analysis set state = ?, percent_done = ? where id = ?", state, percent, id);
    }

    /** The data an analysis waits for or ran on, with its state and progress. */
    public void data(String id, String state, int percent, DataProgress data) {
        Jdbc.update(dataSource, "update analysis set state = ?, percent_done = ?, data = ? where id = ?", state, percent,
                Json.write(data), id);
    }

    public void succeed(String id, Map<String, Object> summary) {
        Jdbc.update(dataSource, "update analysis set state = 'succeeded', percent_done = 100, summary = ?, finished_at = now() "
                + "where id = ?", Json.write(summary), id);
    }

    public void fail(String id, String error) {
        Jdbc.update(dataSource, "update analysis set state = 'failed', error = ?, finished_at = now() where id = ?", error, id);
    }

    private Optional<Analysis> one(String sql, String arg) {
        return Jdbc.list(dataSource, sql, List.of(arg), AnalysisRepository::map).stream().findFirst();
    }

    private static Analysis map(ResultSet rs) throws SQLException {
        String summary = rs.getString("summary");
        Timestamp finished = rs.getTimestamp("finished_at");
        String data = rs.getString("data");
        return new Analysis(rs.getString("id"), rs.getString("fingerprint"), rs.getString("dataset_id"),
                rs.getString("label_set"), rs.getString("model_id"), rs.getString("model_version"),
                rs.getString("embedding_model_id"), rs.getString("embedding_model_version"),
                Json.read(rs.getString("kinds"), new TypeReference<List<String>>() { }),
                rs.getLong("watermark"), rs.getString("state"), rs.getInt("percent_done"), rs.getString("error"),
                summary == null ? Map.of() : Json.read(summary, new TypeReference<Map<String, Object>>() { }),
                rs.getTimestamp("created_at").toInstant(), finished == null ? null : finished.toInstant(), false,
                data == null ? null : Json.read(data, new TypeReference<DataProgress>() { }));
    }
}
