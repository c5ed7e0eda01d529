package dev.shoal.labeling.store;

import dev.shoal.labeling.domain.Campaign;
import dev.shoal.labeling.domain.CampaignFrame;
import dev.shoal.labeling.domain.Task;
import dev.shoal.labeling.domain.TaskState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Campaigns, their frames, their tasks and every task transition. */
@ApplicationScoped
public class CampaignRepository {

    @Inject
    Jdbc jdbc;

    public boolean markProcessed(String eventId, String topic) {
        return jdbc.update("INSERT INTO processed_event (event_id, topic) VALUES (?, ?) ON CONFLICT DO NOTHING", eventId, topic) == 1;
    }

    /** Inserts the campaign unless one with its id exists; true when inserted. */
    public boolean insertIfAbsent(Campaign c, String eventId) {
        return jdbc.update("""
                INSERT INTO campaign (campaign_id, dataset_id, vendor, annotation_type, label_schema, annotators_per_frame,
                                      instructions, source, target_label_set, deadline, status, request_event_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (campaign_id) DO NOTHING""",
                c.campaignId(), c.datasetId(), c.vendor(), c.annotationType(), c.labelSchema(), c.annotatorsPerFrame(),
                c.instructions(), c.source(), c.targetLabelSet(), c.deadline(), c.status(), eventId) == 1;
    }

    public Optional<Campaign> find(String campaignId) {
        return jdbc.one("SELECT * FROM campaign WHERE campaign_id = ?", CampaignRepository::campaign, campaignId);
    }

    /** Locks the campaign row so that two completing tasks cannot finalize it twice. */
    public Optional<Campaign> lock(String campaignId) {
        return jdbc.one("SELECT * FROM campaign WHERE campaign_id = ? FOR UPDATE", CampaignRepository::campaign, campaignId);
    }

    public void finish(String campaignId, String status) {
        jdbc.update("UPDATE campaign SET status = ?, finished_at = now() WHERE campaign_id = ?", status, campaignId);
    }

    public void insertFrame(String campaignId, CampaignFrame f, int position, int groupNo, String reason, double score) {
        jdbc.update("""
                INSERT INTO campaign_frame (campaign_id, frame_id, position, group_no, task_id, uris, reason, score, gold_class)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                campaignId, f.frameId(), position, groupNo, f.taskId(), f.uris(), reason, score, f.goldClass());
    }

    public List<CampaignFrame> frames(String campaignId) {
        return jdbc.query("SELECT * FROM campaign_frame WHERE campaign_id = ? ORDER BY position",
                CampaignRepository::frame, campaignId);
    }

    public List<CampaignFrame> framesOfTask(String taskId) {
        return jdbc.query("SELECT * FROM campaign_frame WHERE task_id = ? ORDER BY position", CampaignRepository::frame, taskId);
    }

    public boolean insertTask(Task t) {
        return jdbc.update("""
                INSERT INTO task (task_id, campaign_id, group_no, vendor, state, version)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                t.taskId(), t.campaignId(), t.groupNo(), t.vendor(), t.state().db(), t.version()) == 1;
    }

    public Optional<Task> task(String taskId) {
        return jdbc.one("SELECT * FROM task WHERE task_id = ?", CampaignRepository::task, taskId);
    }

    public Optional<Task> lockTask(String taskId) {
        return jdbc.one("SELECT * FROM task WHERE task_id = ? FOR UPDATE", CampaignRepository::task, taskId);
    }

    public List<Task> tasks(String campaignId) {
        return jdbc.query("SELECT * FROM task WHERE campaign_id = ? ORDER BY group_no", CampaignRepository::task, campaignId);
    }

    /** Moves a task and records the move; the caller has checked {@link TaskState#canMoveTo}. */
    public void transition(String taskId, TaskState from, TaskState to, String reason) {
        jdbc.update("UPDATE task SET state = ?, reason = ?, updated_at = now() WHERE task_id = ?",
                to.db(), reason == null || reason.isEmpty() ? null : reason, taskId);
        recordHistory(taskId, from, to, reason);
    }

    public void recordHistory(String taskId, TaskState from, TaskState to, String reason) {
        jdbc.update("INSERT INTO task_history (task_id, from_state, to_state, reason) VALUES (?, ?, ?, ?)",
                taskId, from == null ? null : from.db(), to.db(), reason == null ? "" : reason);
    }

    public void bumpVersion(String taskId) {
        jdbc.update("UPDATE task SET version = version + 1 WHERE task_id = ?", taskId);
    }

    public void setVendorRef(String taskId, String ref) {
        jdbc.update("UPDATE task SET vendor_task_ref = ? WHERE task_id = ? AND vendor_task_ref IS NULL", ref, taskId);
    }

    public record HistoryEntry(String fromState, String toState, String reason, java.time.Instant at) {
    }

    public List<HistoryEntry> history(String taskId) {
        return jdbc.query("SELECT * FROM task_history WHERE task_id = ? ORDER BY id",
                rs -> new HistoryEntry(rs.getString("from_state"), rs.getString("to_state"), rs.getString("reason"),
                        Jdbc.instant(rs, "at")), taskId);
    }

    /** Open tasks of campaigns whose deadline has passed. */
    public List<Task> overdueTasks() {
        return jdbc.query("""
                SELECT t.* FROM task t JOIN campaign c ON c.campaign_id = t.campaign_id
                WHERE c.deadline IS NOT NULL AND c.deadline < now() AND t.state IN ('created', 'dispatched', 'in_progress')""",
                CampaignRepository::task);
    }

    static Campaign campaign(ResultSet rs) throws SQLException {
        return new Campaign(rs.getString("campaign_id"), rs.getString("dataset_id"), rs.getString("vendor"),
                rs.getString("annotation_type"), Jdbc.strings(rs, "label_schema"), rs.getInt("annotators_per_frame"),
                rs.getString("instructions"), rs.getString("source"), rs.getString("target_label_set"),
                Jdbc.instant(rs, "deadline"), rs.getString("status"));
    }

    static CampaignFrame frame(ResultSet rs) throws SQLException {
        return new CampaignFrame(rs.getString("frame_id"), rs.getString("task_id"), Jdbc.strings(rs, "uris"), rs.getString("gold_class"));
    }

    static Task task(ResultSet rs) throws SQLException {
        return new Task(rs.getString("task_id"), rs.getString("campaign_id"), rs.getInt("group_no"), rs.getString("vendor"),
                TaskState.fromDb(rs.getString("state")), rs.getInt("version"), rs.getString("vendor_task_ref"),
                rs.getString("reason"), Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "updated_at"));
    }
}
