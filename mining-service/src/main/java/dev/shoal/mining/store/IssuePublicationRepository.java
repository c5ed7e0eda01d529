package dev.shoal.mining.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Which issues have been announced as IssueFound, with the content hash they were announced with. */
@ApplicationScoped
public class IssuePublicationRepository {

    private static final int CHUNK = 1000;

    @Inject
    DataSource dataSource;

    /** issue id to its last published content hash, for those of {@code ids} that were published. */
    public Map<String, String> hashes(Collection<String> ids) {
        Map<String, String> out = new HashMap<>();
        List<String> all = new ArrayList<>(ids);
        for (int from = 0; from < all.size(); from += CHUNK) {
            String[] chunk = all.subList(from, Math.min(all.size(), from + CHUNK)).toArray(String[]::new);
            Jdbc.list(dataSource, "select issue_id, content_hash from issue_publication where issue_id = any (?)",
                    List.of((Object) chunk), rs -> out.put(rs.getString(1), rs.getString(2)));
        }
        return out;
    }

    /** Records (or updates) the content hash each issue was just published with. */
    public void record(Map<String, String> hashByIssue) {
        if (hashByIssue.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     insert into issue_publication (issue_id, content_hash) values (?, ?)
                     on conflict (issue_id) do update set content_hash = excluded.content_hash, published_at = now()""")) {
            int pending = 0;
            for (var e : hashByIssue.entrySet()) {
                ps.setString(1, e.getKey());
                ps.setString(2, e.getValue());
                ps.addBatch();
                if (++pending == CHUNK) {
                    ps.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) {
                ps.executeBatch();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("recording published issues failed: " + e.getMessage(), e);
        }
    }
}
