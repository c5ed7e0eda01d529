package dev.shoal.labeling.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Vendor answers (one per campaign, frame and annotator), inbound receipts, and the QA outcome. */
@ApplicationScoped
public class AnnotationRepository {

    @Inject
    Jdbc jdbc;

    /** Records a delivery; false when the same delivery was taken before (a replay). */
    public boolean receipt(String vendor, String receiptKey, String taskId) {
        return jdbc.update("INSERT INTO inbound_receipt (vendor, receipt_key, task_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                vendor, receiptKey, taskId) == 1;
    }

    public enum Change { INSERTED, UPDATED, UNCHANGED }

    /** Upsert by (campaign, frame, annotator): a vendor update replaces the answer, an identical one changes nothing. */
    public Change upsert(String campaignId, String frameId, String annotatorId, String taskId, String answerJson, String vendorRef) {
        record Row(boolean inserted) {
        }
        List<Row> rows = jdbc.query("""
                INSERT INTO annotation (campaign_id, frame_id, annotator_id, task_id, answer, vendor_ref)
                VALUES (?, ?, ?, ?, ?::jsonb, ?)
                ON CONFLICT (campaign_id, frame_id, annotator_id) DO UPDATE
                  SET answer = EXCLUDED.answer, vendor_ref = EXCLUDED.vendor_ref, updated_at = now()
                  WHERE annotation.answer IS DISTINCT FROM EXCLUDED.answer
                RETURNING (xmax = 0) AS inserted""", rs -> new Row(rs.getBoolean("inserted")),
                campaignId, frameId, annotatorId, taskId, answerJson, vendorRef);
        if (rows.isEmpty()) {
            return Change.UNCHANGED;
        }
        return rows.get(0).inserted() ? Change.INSERTED : Change.UPDATED;
    }

    public record Stored(String frameId, String annotatorId, String taskId, String answerJson) {
    }

    public List<Stored> forCampaign(String campaignId) {
        return jdbc.query("SELECT * FROM annotation WHERE campaign_id = ? ORDER BY frame_id, annotator_id",
                rs -> new Stored(rs.getString("frame_id"), rs.getString("annotator_id"), rs.getString("task_id"),
                        rs.getString("answer")), campaignId);
    }

    /** Distinct annotators per frame of one task. */
    public Map<String, Integer> coverage(String taskId) {
        return jdbc.query("SELECT frame_id, count(*) AS n FROM annotation WHERE task_id = ? GROUP BY frame_id",
                        rs -> Map.entry(rs.getString("frame_id"), rs.getInt("n")), taskId)
                .stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    public long countForTask(String taskId) {
        return jdbc.one("SELECT count(*) FROM annotation WHERE task_id = ?", rs -> rs.getLong(1), taskId).orElse(0L);
    }

    public void saveAccepted(String campaignId, String frameId, String answerJson, String method, double confidence) {
        jdbc.update("""
                INSERT INTO accepted_label (campaign_id, frame_id, answer, method, confidence) VALUES (?, ?, ?::jsonb, ?, ?)
                ON CONFLICT (campaign_id, frame_id) DO UPDATE SET answer = EXCLUDED.answer, method = EXCLUDED.method,
                  confidence = EXCLUDED.confidence""", campaignId, frameId, answerJson, method, confidence);
    }

    public void saveScore(String campaignId, String annotatorId, int labels, Double agreement, int goldTotal, int goldCorrect,
                          Double estimatedAccuracy, boolean accepted) {
        jdbc.update("""
                INSERT INTO annotator_score (campaign_id, annotator_id, labels, agreement, gold_total, gold_correct,
                                             estimated_accuracy, accepted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (campaign_id, annotator_id) DO UPDATE SET labels = EXCLUDED.labels, agreement = EXCLUDED.agreement,
                  gold_total = EXCLUDED.gold_total, gold_correct = EXCLUDED.gold_correct,
                  estimated_accuracy = EXCLUDED.estimated_accuracy, accepted = EXCLUDED.accepted""",
                campaignId, annotatorId, labels, agreement, goldTotal, goldCorrect, estimatedAccuracy, accepted);
    }

    public record Score(String annotatorId, int labels, Double agreement, int goldTotal, int goldCorrect,
                        Double estimatedAccuracy, boolean accepted) {
    }

    public List<Score> scores(String campaignId) {
        return jdbc.query("SELECT * FROM annotator_score WHERE campaign_id = ? ORDER BY annotator_id",
                rs -> new Score(rs.getString("annotator_id"), rs.getInt("labels"), (Double) rs.getObject("agreement"),
                        rs.getInt("gold_total"), rs.getInt("gold_correct"), (Double) rs.getObject("estimated_accuracy"),
                        rs.getBoolean("accepted")), campaignId);
    }

    public record Accepted(String frameId, String answerJson, String method, double confidence) {
    }

    public List<Accepted> accepted(String campaignId) {
        return jdbc.query("SELECT * FROM accepted_label WHERE campaign_id = ? ORDER BY frame_id",
                rs -> new Accepted(rs.getString("frame_id"), rs.getString("answer"), rs.getString("method"),
                        rs.getDouble("confidence")), campaignId);
    }
}
