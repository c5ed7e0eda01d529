package dev.shoal.mining.domain;

import java.time.Instant;
import java.util.List;

/** A collection campaign: frames picked from the unlabeled pool, ranked, ready to send to labeling. */
public record Campaign(String id, String datasetId, String name, String source, String instructions,
                       List<String> labelSchema, String annotationType, String targetLabelSet, String vendor,
                       int version, int sentVersion, List<CampaignFrame> frames, Instant createdAt) {

    public record CampaignFrame(int rank, String frameId, double score, String reason) {
    }
}
