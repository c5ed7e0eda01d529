package dev.shoal.mining.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.util.List;
import java.util.Optional;

/** Which corrected label each issue's triage has written back to ingest (one row per issue, the latest). */
@ApplicationScoped
public class LabelCorrectionRepository {

    /** A correction as published: the label's natural key, its class, and the ingest request id. */
    public record Correction(String issueId, String datasetId, String frameId, String labelSet, String labelerId,
                             String className, String requestId) {
    }

    @Inject
    DataSource dataSource;

    public Optional<Correction> find(String issueId) {
        return Jdbc.list(dataSource, "select * from label_correction where issue_id = ?", List.of(issueId),
                rs -> new Correction(rs.getString("issue_id"), rs.getString("dataset_id"), rs.getString("frame_id"),
                        rs.getString("label_set"), rs.getString("labeler_id"), rs.getString("class_name"),
                        rs.getString("request_id"))).stream().findFirst();
    }

    /** Records a correction after the broker acknowledged it (replacing an earlier one of the same issue). */
    public void record(Correction c) {
        Jdbc.update(dataSource, """
                insert into label_correction (issue_id, dataset_id, frame_id, label_set, labeler_id, class_name, request_id)
                values (?, ?, ?, ?, ?, ?, ?)
                on conflict (issue_id) do update set dataset_id = excluded.dataset_id, frame_id = excluded.frame_id,
                  label_set = excluded.label_set, labeler_id = excluded.labeler_id, class_name = excluded.class_name,
                  request_id = excluded.request_id, published_at = now()""",
                c.issueId(), c.datasetId(), c.frameId(), c.labelSet(), c.labelerId(), c.className(), c.requestId());
    }
}
