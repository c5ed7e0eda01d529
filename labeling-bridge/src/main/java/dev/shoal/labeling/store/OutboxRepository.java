package dev.shoal.labeling.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The persistent outbox: deliveries written in the same transaction as the state change that caused them,
 * claimed by a dispatcher with a lease ({@code FOR UPDATE SKIP LOCKED}), retried until sent or failed.
 */
@ApplicationScoped
public class OutboxRepository {

    @Inject
    Jdbc jdbc;

    public record Entry(long id, String dedupeKey, String kind, String purpose, String taskId, Integer taskVersion,
                        String vendor, String auth, String url, String channel, String recordKey, String ceType,
                        String eventId, byte[] body, String status, int attempts, Instant nextAttemptAt, String lastError) {

        public static Entry http(String dedupeKey, String purpose, String taskId, Integer taskVersion, String vendor,
                                 String auth, String url, byte[] body) {
            return new Entry(0, dedupeKey, "http", purpose, taskId, taskVersion, vendor, auth, url, null, null, null,
                    null, body, "pending", 0, null, null);
        }

        public static Entry kafka(String dedupeKey, String channel, String recordKey, String ceType, String eventId, byte[] body) {
            return new Entry(0, dedupeKey, "kafka", "event", null, null, null, "none", null, channel, recordKey, ceType,
                    eventId, body, "pending", 0, null, null);
        }
    }

    /** Inserts unless an entry with the same dedupe key exists; true when inserted. */
    public boolean add(Entry e) {
        return jdbc.update("""
                INSERT INTO outbox (dedupe_key, kind, purpose, task_id, task_version, vendor, auth, url, channel, record_key,
                                    ce_type, event_id, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING""",
                e.dedupeKey(), e.kind(), e.purpose(), e.taskId(), e.taskVersion(), e.vendor(), e.auth(), e.url(),
                e.channel(), e.recordKey(), e.ceType(), e.eventId(), e.body()) == 1;
    }

    /**
     * Claims up to {@code limit} due entries: pushes their next attempt past the lease and counts the attempt,
     * in one statement, so a dispatcher that dies holding them gives them back when the lease runs out.
     */
    public List<Entry> claimDue(int limit, Duration lease) {
        return jdbc.query("""
                UPDATE outbox SET attempts = attempts + 1, next_attempt_at = now() + (? * interval '1 millisecond')
                WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= now()
                             ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
                RETURNING *""", OutboxRepository::entry, lease.toMillis(), limit);
    }

    public void markSent(long id) {
        jdbc.update("UPDATE outbox SET status = 'sent', sent_at = now(), last_error = NULL WHERE id = ?", id);
    }

    public void retryAt(long id, Instant next, String error) {
        jdbc.update("UPDATE outbox SET next_attempt_at = ?, last_error = ? WHERE id = ? AND status = 'pending'", next, error, id);
    }

    public void markFailed(long id, String error) {
        jdbc.update("UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?", error, id);
    }

    public void cancel(long id, String why) {
        jdbc.update("UPDATE outbox SET status = 'cancelled', last_error = ? WHERE id = ?", why, id);
    }

    public List<Entry> forTask(String taskId) {
        return jdbc.query("SELECT * FROM outbox WHERE task_id = ? ORDER BY id", OutboxRepository::entry, taskId);
    }

    public long count(String status) {
        return jdbc.one("SELECT count(*) FROM outbox WHERE status = ?", rs -> rs.getLong(1), status).orElse(0L);
    }

    static Entry entry(java.sql.ResultSet rs) throws java.sql.SQLException {
        int version = rs.getInt("task_version");
        Integer taskVersion = rs.wasNull() ? null : version;
        return new Entry(rs.getLong("id"), rs.getString("dedupe_key"), rs.getString("kind"), rs.getString("purpose"),
                rs.getString("task_id"), taskVersion, rs.getString("vendor"), rs.getString("auth"), rs.getString("url"),
                rs.getString("channel"), rs.getString("record_key"), rs.getString("ce_type"), rs.getString("event_id"),
                rs.getBytes("body"), rs.getString("status"), rs.getInt("attempts"), Jdbc.instant(rs, "next_attempt_at"),
                rs.getString("last_error"));
    }
}
