package dev.shoal.mining.domain;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * Something a person should look at. {@code type}: label_error (a candidate the person decides on: triage
 * {@code model_wrong} turns it into model_error), model_error, or a detection finding (missing_label,
 * spurious_label, wrong_class, poor_localization).
 */
public record Issue(String id, String analysisId, String datasetId, String frameId, String type, String givenLabel,
                    String suggestedLabel, double score, Map<String, Double> scores, String state, String note,
                    String labelSet, String modelId, String modelVersion, int rank, Instant updatedAt) {

    public static final String LABEL_ERROR = "label_error";
    public static final String MODEL_ERROR = "model_error";

    public static final Set<String> STATES = Set.of("open", "label_wrong", "model_wrong", "ignored");
    public static final Set<String> TYPES = Set.of(LABEL_ERROR, MODEL_ERROR, "missing_label", "spurious_label",
            "wrong_class", "poor_localization");
}
