package dev.shoal.mining.store;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.shoal.mining.domain.Campaign;
import dev.shoal.mining.domain.Campaign.CampaignFrame;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** Campaigns, their ranked frames, the unlabeled pool, and the once-per-version send guard. */
@ApplicationScoped
public class CampaignRepository {

    @Inject
    DataSource dataSource;

    public void insert(Campaign c) {
        try (Connection conn = dataSource.getConnection()) {
            conn.setAutoCommit(false);
            try (PreparedStatement ps = conn.prepareStatement("""
                    insert into campaign (id, dataset_id, name, source, instructions, label_schema, annotation_type,
                      target_label_set, vendor, version, sent_version) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)""")) {
                ps.setString(1, c.id());
                ps.setString(2, c.datasetId());
                ps.setString(3, c.name());
                ps.setString(4, c.source());
                ps.setString(5, c.instructions());
                ps.setString(6, Json.write(c.labelSchema()));
                ps.setString(7, c.annotationType());
                ps.setString(8, c.targetLabelSet());
                ps.setString(9, c.vendor());
                ps.setInt(10, c.version());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = conn.prepareStatement(
                    "insert into campaign_frame (campaign_id, rank, frame_id, score, reason) values (?, ?, ?, ?, ?)")) {
                for (CampaignFrame f : c.frames()) {
                    ps.setString(1, c.id());
                    ps.setInt(2, f.rank());
                    ps.setString(3, f.frameId());
                    ps.setDouble(4, f.score());
                    ps.setString(5, f.reason());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            conn.commit();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public Optional<Campaign> get(String id) {
        try (Connection c = dataSource.getConnection()) {
            return read(c, id, false);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends the campaign's current version at most once: locks the row, and only when it was not sent at this
     * version calls {@code publish} (which must return after the broker acknowledged), then records the version.
     * Returns whether this call published.
     */
    public boolean sendOnce(String id, Function<Campaign, Void> publish) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Campaign campaign = read(c, id, true).orElseThrow(() -> new dev.shoal.mining.service.NotFound("no campaign " + id));
                if (campaign.sentVersion() >= campaign.version()) {
                    c.rollback();
                    return false;
                }
                publish.apply(campaign);
                try (PreparedStatement ps = c.prepareStatement("update campaign set sent_version = version where id = ?")) {
                    ps.setString(1, id);
                    ps.executeUpdate();
                }
                c.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Frame ids of the unlabeled pool that have a vector of the model: split 'unlabeled' or no label at all. */
    public Set<String> pool(String datasetId, String modelId, String modelVersion) {
        Set<String> out = new HashSet<>();
        Jdbc.stream(dataSource, """
                select e.frame_id from embedding e
                left join frame f on f.dataset_id = e.dataset_id and f.frame_id = e.frame_id
                where e.dataset_id = ? and e.model_id = ? and e.model_version = ?
                  and (f.split = 'unlabeled'
                       or not exists (select 1 from label l where l.dataset_id = e.dataset_id and l.frame_id = e.frame_id))""",
                List.of(datasetId, modelId, modelVersion), 5000, rs -> out.add(rs.getString(1)));
        return out;
    }

    /** URIs of the given frames (from FrameUpserted). */
    public Map<String, List<String>> uris(String datasetId, List<String> frameIds) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Jdbc.list(dataSource, "select frame_id, uris from frame where dataset_id = ? and frame_id = any (?)",
                List.of(datasetId, frameIds.toArray(String[]::new)),
                rs -> out.put(rs.getString(1), Json.read(rs.getString(2), new TypeReference<List<String>>() { })));
        return out;
    }

    /** Class names seen in the dataset's classification labels (the default label schema). */
    public List<String> classNames(String datasetId) {
        return Jdbc.list(dataSource, "select distinct class_name from label where dataset_id = ? and class_name is not null order by 1",
                List.of(datasetId), rs -> rs.getString(1));
    }

    private Optional<Campaign> read(Connection c, String id, boolean forUpdate) throws SQLException {
        Campaign head;
        try (PreparedStatement ps = c.prepareStatement("select * from campaign where id = ?" + (forUpdate ? " for update" : ""))) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                head = new Campaign(rs.getString("id"), rs.getString("dataset_id"), rs.getString("name"), rs.getString("source"),
                        rs.getString("instructions"), Json.read(rs.getString("label_schema"), new TypeReference<List<String>>() { }),
                        rs.getString("annotation_type"), rs.getString("target_label_set"), rs.getString("vendor"),
                        rs.getInt("version"), rs.getInt("sent_version"), List.of(), rs.getTimestamp("created_at").toInstant());
            }
        }
        List<CampaignFrame> frames = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select rank, frame_id, score, reason from campaign_frame where campaign_id = ? order by rank")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    frames.add(new CampaignFrame(rs.getInt(1), rs.getString(2), rs.getDouble(3), rs.getString(4)));
                }
            }
        }
        return Optional.of(new Campaign(head.id(), head.datasetId(), head.name(), head.source(), head.instructions(),
                head.labelSchema(), head.annotationType(), head.targetLabelSet(), head.vendor(), head.version(),
                head.sentVersion(), frames, head.createdAt()));
    }
}
