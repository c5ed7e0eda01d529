package dev.shoal.mining.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The records mining's consumers could not apply. Each also goes to {@code <topic>.dlq} with the reason; this table
 * makes them countable per dataset (dataset state, analysis freshness) and in health. Keyed by the record's
 * position, so a redelivered record is counted once.
 */
@ApplicationScoped
public class DeadLetterRepository {

    /** Longest reason kept (the full one is on the .dlq record). */
    static final int MAX_REASON = 1000;

    @Inject
    DataSource dataSource;

    public record DeadLetter(String topic, int partition, long offset, String datasetId, String key, String reason) {
    }

    public void record(DeadLetter d) {
        String reason = d.reason() == null ? "unknown" : d.reason();
        Jdbc.update(dataSource, """
                insert into dead_letter (topic, partition, record_offset, dataset_id, record_key, reason)
                values (?, ?, ?, ?, ?, ?) on conflict do nothing""", d.topic(), d.partition(), d.offset(), d.datasetId(),
                d.key() == null ? null : d.key().substring(0, Math.min(256, d.key().length())),
                reason.substring(0, Math.min(MAX_REASON, reason.length())));
    }

    /** Dead letters of the dataset per source topic. */
    public Map<String, Long> countsByTopic(String datasetId) {
        Map<String, Long> out = new TreeMap<>();
        Jdbc.list(dataSource, "select topic, count(*) from dead_letter where dataset_id = ? group by topic",
                List.of(datasetId), rs -> out.put(rs.getString(1), rs.getLong(2)));
        return out;
    }

    /** The dataset's most frequent reasons, with their counts. */
    public Map<String, Long> topReasons(String datasetId, int limit) {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        Jdbc.list(dataSource, """
                select reason, count(*) from dead_letter where dataset_id = ? group by reason order by 2 desc, 1 limit ?""",
                List.of(datasetId, limit), rs -> out.put(rs.getString(1), rs.getLong(2)));
        return out;
    }

    /** Every dead letter per topic, datasets known or not (health). */
    public Map<String, Long> totalsByTopic() {
        Map<String, Long> out = new TreeMap<>();
        Jdbc.list(dataSource, "select topic, count(*) from dead_letter group by topic", List.of(),
                rs -> out.put(rs.getString(1), rs.getLong(2)));
        return out;
    }
}
