package dev.shoal.embedding.train;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/** The training jobs auto-training started ({@code auto_training}): the latest one per dataset and label set. */
@ApplicationScoped
public class AutoTrainingRepository {

    /** One auto-started job; {@code state} a {@link TrainingJobService.State} name, {@code finishedAt} null while it runs. */
    public record Run(String datasetId, String labelSet, int labeledFrames, int classes, String jobId, String state,
                      String modelVersion, String message, Instant startedAt, Instant finishedAt) {
    }

    @Inject
    AgroalDataSource ds;

    /** A job was started for this label set (it replaces the set's previous run). */
    public void started(String datasetId, String labelSet, int labeledFrames, int classes, String jobId) {
        String sql = """
                insert into auto_training (dataset_id, label_set, labeled_frames, classes, job_id, state)
                values (?, ?, ?, ?, ?, 'QUEUED')
                on conflict (dataset_id, label_set) do update set labeled_frames = excluded.labeled_frames,
                  classes = excluded.classes, job_id = excluded.job_id, state = excluded.state, model_version = null,
                  message = null, started_at = now(), finished_at = null""";
        update(sql, datasetId, labelSet, labeledFrames, classes, jobId);
    }

    /** The job ended. */
    public void finished(String jobId, String state, String modelVersion, String message) {
        update("""
                update auto_training set state = ?, model_version = ?, message = ?, finished_at = now()
                where job_id = ?""", state, modelVersion, message, jobId);
    }

    /** The latest run for a label set of a dataset. */
    public Optional<Run> forLabelSet(String datasetId, String labelSet) {
        return one(SELECT + " where dataset_id = ? and label_set = ?", datasetId, labelSet);
    }

    /** The latest run of a dataset, whatever its label set. */
    public Optional<Run> latest(String datasetId) {
        return one(SELECT + " where dataset_id = ? order by started_at desc limit 1", datasetId);
    }

    private static final String SELECT = """
            select dataset_id, label_set, labeled_frames, classes, job_id, state, model_version, message, started_at,
                   finished_at
            from auto_training""";

    private Optional<Run> one(String sql, Object... args) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Timestamp finished = rs.getTimestamp(10);
                return Optional.of(new Run(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getInt(4), rs.getString(5),
                        rs.getString(6), rs.getString(7), rs.getString(8), rs.getTimestamp(9).toInstant(),
                        finished == null ? null : finished.toInstant()));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("auto-training query failed: " + e.getMessage(), e);
        }
    }

    private void update(String sql, Object... args) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("auto-training update failed: " + e.getMessage(), e);
        }
    }
}
