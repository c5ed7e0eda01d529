package dev.shoal.mining.domain;

import java.util.List;
import java.util.Map;

/** What analyses store besides issues. */
public final class Results {
    private Results() {
    }

    /** A failure cluster; error statistics are over its labeled frames that have a prediction. */
    public record ClusterSummary(String analysisId, String method, int clusterId, int size, Map<String, Integer> classMix,
                                 Integer errors, Double accuracy, Double errorRate, Double overallErrorRate, Double lift,
                                 Double pValue, Double qValue, boolean significant, int rank) {
    }

    public record MetadataSlice(String analysisId, String key, String value, int size, int errors, double errorRate,
                                double overallErrorRate, Double lift, Double pValue, Double qValue, boolean significant,
                                int rank) {
    }

    public record Outlier(String analysisId, String frameId, double knnScore, Double lofScore, int rank) {
    }

    /**
     * A near-duplicate group: every member is within the analysis' threshold of the representative frame, and
     * minSimilarity is the smallest member-to-representative similarity; crossesSplits = leakage (the same content in
     * train and in validation/test).
     */
    public record DuplicateGroup(String analysisId, int groupId, int size, String representative, List<String> frameIds,
                                 List<String> splits, double minSimilarity, boolean crossesSplits) {
    }

    public record MapPoint(String frameId, float x, float y, String label, Integer clusterId) {
    }

    /**
     * One labeler's quality: method crowdlab (quality = CROWDLAB's annotator quality score, accuracy = agreement with
     * the CROWDLAB consensus) or dawid_skene (quality = accuracy = the estimate from its confusion matrix); agreement:
     * share of its answers equal to the consensus label; confusion: consensus (or estimated true) class → answered class.
     */
    public record LabelerQuality(String analysisId, String labelerId, String method, double quality, double accuracy,
                                 Double agreement, int labels, Map<String, Map<String, Double>> confusion) {
    }

    public record Page<T>(List<T> items, long total, int page, int pageSize) {
    }
}
