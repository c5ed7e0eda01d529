package dev.shoal.mining.domain;

import java.util.List;

/**
 * POST /v1/campaigns. Exactly one seed: {@code issue_id}, or {@code analysis_id} + {@code cluster_id}
 * (+ {@code cluster_method}), or hand-picked {@code frame_ids}. The embedding model defaults to the analysis' one.
 */
public record CampaignRequest(String datasetId, String name, String issueId, String analysisId, Integer clusterId,
                              String clusterMethod, List<String> frameIds, String embeddingModelId,
                              String embeddingModelVersion, Integer limit, String instructions, List<String> labelSchema,
                              String annotationType, String targetLabelSet, String vendor) {
}
