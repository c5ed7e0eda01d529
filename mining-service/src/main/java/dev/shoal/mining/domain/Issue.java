package dev.shoal.mining.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Something a person should look at. {@code type}: label_error (a candidate the person decides on: triage
 * {@code model_wrong} turns it into model_error), model_error, or a detection finding (missing_label,
 * spurious_label, wrong_class, poor_localization). {@code correctedLabel}: the class a {@code label_wrong} triage wrote
 * back to ingest for the frame (null until then).
 */
public record Issue(String id, String analysisId, String datasetId, String frameId, String type, String givenLabel,
                    String suggestedLabel, double score, Map<String, Double> scores, String state, String note,
                    String labelSet, String modelId, String modelVersion, int rank, Instant updatedAt,
                    String correctedLabel) {

    public static final String LABEL_ERROR = "label_error";
    public static final String MODEL_ERROR = "model_error";

    public static final Set<String> STATES = Set.of("open", "label_wrong", "model_wrong", "ignored");
    public static final Set<String> TYPES = Set.of(LABEL_ERROR, MODEL_ERROR, "missing_label", "spurious_label",
            "wrong_class", "poor_localization");

    /**
     * The id of a finding: the same for the same analysis inputs (the analysis fingerprint), type, frame and detail
     * (which box pair, for detection), so a re-run of the analysis (after a restart, or a new job after a failed
     * one) finds its issues under the ids it published before. A name-based (type 3) UUID.
     */
    public static String stableId(String analysisFingerprint, String type, String frameId, String detail) {
        return UUID.nameUUIDFromBytes(String.join("\u0000", "issue", analysisFingerprint, type, frameId,
                detail == null ? "" : detail).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * What IssueFound announces about this issue, as a hash: id, dataset, frame, type, labels, label set, model, and
     * the scores rounded to 4 decimals (so float noise between re-runs is no change). Not the analysis id, rank,
     * triage state or note: a person's triage and the issue's position in a list are not news of the finding.
     */
    public String contentHash() {
        StringBuilder b = new StringBuilder();
        for (String s : new String[] {id, datasetId, frameId, type, givenLabel, suggestedLabel, labelSet, modelId, modelVersion}) {
            b.append(s == null ? "\u0001" : s).append('\u0000');
        }
        b.append(round(score));
        if (scores != null) {
            new TreeMap<>(scores).forEach((k, v) -> b.append('\u0000').append(k).append('=').append(v == null ? "null" : round(v)));
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String round(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : Double.toString(v);
    }
}
