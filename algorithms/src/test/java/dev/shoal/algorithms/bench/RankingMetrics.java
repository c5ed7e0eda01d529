package dev.shoal.algorithms.bench;

/** Precision, recall and average precision of a label-error ranking against the planted truth. */
public final class RankingMetrics {
    private RankingMetrics() {
    }

    /** Precision of a flagged set. */
    public static double precision(int[] flagged, boolean[] truth) {
        if (flagged.length == 0) return 0;
        int tp = 0;
        for (int i : flagged) if (truth[i]) tp++;
        return tp / (double) flagged.length;
    }

    /** Recall of a flagged set. */
    public static double recall(int[] flagged, boolean[] truth) {
        int pos = 0;
        for (boolean t : truth) if (t) pos++;
        if (pos == 0) return 0;
        int tp = 0;
        for (int i : flagged) if (truth[i]) tp++;
        return tp / (double) pos;
    }

    /** Average precision of a full ranking (most suspect first): mean over positives of precision at their rank. */
    public static double averagePrecision(int[] ranking, boolean[] truth) {
        int pos = 0;
        for (boolean t : truth) if (t) pos++;
        if (pos == 0) return 0;
        double sum = 0;
        int tp = 0;
        for (int r = 0; r < ranking.length; r++) {
            if (truth[ranking[r]]) {
                tp++;
                sum += tp / (double) (r + 1);
            }
        }
        return sum / pos;
    }

    /** Precision among the top {@code k} of the ranking. */
    public static double precisionAt(int[] ranking, boolean[] truth, int k) {
        int tp = 0;
        int m = Math.min(k, ranking.length);
        for (int r = 0; r < m; r++) if (truth[ranking[r]]) tp++;
        return m == 0 ? 0 : tp / (double) m;
    }
}
