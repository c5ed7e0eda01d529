package dev.shoal.mining.domain;

import java.util.Map;

/**
 * How far mining's read model had caught up with what upstream (ingest-service, embedding-service) held when an
 * analysis was requested. Keys of {@code expected} and {@code seen}: {@code frames}, {@code labels:<label_set>},
 * {@code inferences:<model_id>:<model_version>}, {@code vectors:<embedding model version>}.
 *
 * @param freshness {@link #WAIT} (wait, bounded, until caught up) or {@link #NOW} (run on what is there)
 * @param expected  upstream counts when the request arrived; empty when upstream could not be asked (see note)
 * @param seen      mining's counts when the analysis started running, or the latest while it waits
 * @param partial   the analysis ran (or will run) on less than was expected
 * @param note      why it is partial, or why the expectation is unknown; null otherwise
 */
public record DataProgress(String freshness, Map<String, Long> expected, Map<String, Long> seen, boolean partial,
                           String note) {

    public static final String WAIT = "wait";
    public static final String NOW = "now";

    /** Whether every expected count has been seen. */
    public static boolean caughtUp(Map<String, Long> expected, Map<String, Long> seen) {
        return expected.entrySet().stream().allMatch(e -> seen.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    /** Share of the expected rows seen, 0..100 (100 when nothing is expected). */
    public static int percentSeen(Map<String, Long> expected, Map<String, Long> seen) {
        long want = 0;
        long have = 0;
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            want += e.getValue();
            have += Math.min(e.getValue(), seen.getOrDefault(e.getKey(), 0L));
        }
        return want == 0 ? 100 : (int) (100 * have / want);
    }

    public DataProgress withSeen(Map<String, Long> now, boolean isPartial, String why) {
        return new DataProgress(freshness, expected, now, isPartial, why);
    }
}
