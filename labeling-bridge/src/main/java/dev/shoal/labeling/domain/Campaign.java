package dev.shoal.labeling.domain;

import java.time.Instant;
import java.util.List;

/** A labeling campaign as stored by the bridge. */
public record Campaign(String campaignId, String datasetId, String vendor, String annotationType, List<String> labelSchema,
                       int annotatorsPerFrame, String instructions, String source, String targetLabelSet,
                       Instant deadline, String status) {
}
