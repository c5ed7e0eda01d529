package dev.shoal.algorithms.consensus;

import java.util.Arrays;

/**
 * Plain majority vote: each item takes the class most annotators gave it; ties go to the lowest class index
 * (deterministic). The posterior is the vote share. Annotator confusion matrices and accuracy are measured
 * against the majority label, which is the usual baseline that Dawid and Skene (1979) improve on.
 */
public final class MajorityVote {

    private MajorityVote() {
    }

    public static ConsensusResult fit(AnnotationSet set) {
        int n = set.items();
        int k = set.classes();
        int[][] counts = set.countsPerItem();
        double[][] posterior = new double[n][k];
        int[] labels = new int[n];
        double[] priors = new double[k];
        int labelled = 0;
        for (int i = 0; i < n; i++) {
            int total = 0;
            int best = -1;
            for (int c = 0; c < k; c++) {
                total += counts[i][c];
                if (counts[i][c] > 0 && (best < 0 || counts[i][c] > counts[i][best])) {
                    best = c;
                }
            }
            labels[i] = best;
            if (total == 0) {
                Arrays.fill(posterior[i], 1.0 / k);
                continue;
            }
            for (int c = 0; c < k; c++) {
                posterior[i][c] = counts[i][c] / (double) total;
            }
            priors[best]++;
            labelled++;
        }
        for (int c = 0; c < k; c++) {
            priors[c] = labelled == 0 ? 1.0 / k : priors[c] / labelled;
        }
        return Scores.against(set, posterior, labels, priors, 0, true, Double.NaN);
    }

    /** Scores shared by both methods: confusion, accuracy and agreement measured against given labels. */
    static final class Scores {
        private Scores() {
        }

        static ConsensusResult against(AnnotationSet set, double[][] posterior, int[] labels, double[] priors,
                                       int iterations, boolean converged, double logLikelihood) {
            int m = set.annotators();
            int k = set.classes();
            double[][][] confusion = new double[m][k][k];
            double[] agree = new double[m];
            double[] answered = new double[m];
            for (Annotation a : set.annotations()) {
                int truth = labels[a.item()];
                if (truth < 0) {
                    continue;
                }
                confusion[a.annotator()][truth][a.label()]++;
                answered[a.annotator()]++;
                if (truth == a.label()) {
                    agree[a.annotator()]++;
                }
            }
            double[] accuracy = new double[m];
            double[] agreement = new double[m];
            for (int j = 0; j < m; j++) {
                normaliseRows(confusion[j]);
                agreement[j] = answered[j] == 0 ? Double.NaN : agree[j] / answered[j];
                accuracy[j] = answered[j] == 0 ? Double.NaN : DawidSkene.accuracy(priors, confusion[j]);
            }
            return new ConsensusResult(posterior, labels, priors, confusion, accuracy, agreement, iterations, converged, logLikelihood);
        }

        static void normaliseRows(double[][] rows) {
            for (double[] row : rows) {
                double sum = 0;
                for (double v : row) {
                    sum += v;
                }
                if (sum <= 0) {
                    Arrays.fill(row, 1.0 / row.length);
                } else {
                    for (int c = 0; c < row.length; c++) {
                        row[c] /= sum;
                    }
                }
            }
        }
    }
}
