package dev.shoal.algorithms.consensus;

import java.util.Arrays;

/**
 * CROWDLAB consensus labels and annotator quality from annotators' labels together with a classifier's predicted
 * probabilities, following H. W. Goh, U. Tkachenko and J. Mueller, "CROWDLAB: Supervised learning to infer consensus
 * labels and quality scores for data with multiple annotators", arXiv:2210.06812 (2022), section 3.
 *
 * <p>Where Dawid–Skene has only the answers to go on (two annotators who disagree on an item give it no way to tell
 * which is right), CROWDLAB lets the model's out-of-sample probabilities break the tie, weighting each source by how
 * much better than a trivial guess it agrees with an initial consensus:
 * <ol>
 *   <li>initial consensus: majority vote per item, ties broken by the model's probability;</li>
 *   <li>over the items with at least two answers: P = the mean share of an item's answers equal to its consensus
 *       (the likelihood an annotator gives the consensus class), and the error of always answering the most frequent
 *       consensus class, ε (clipped below at 1e-6);</li>
 *   <li>annotator weight w_j = max(1 - (1 - a_j) / ε, 1e-6), with a_j the mean share of the other annotators' answers
 *       on its shared items that equal its own answer; model weight w_M = max(1 - e_M / ε, 1e-6) × sqrt(mean answers
 *       per item), with e_M the model's error against the consensus;</li>
 *   <li>posterior of class c on item i: the weighted average of the model's p_i(c) (weight w_M) and, per answer, P when
 *       the answer is c, else (1 - P) / (K - 1) (weight w_j); the consensus label is its argmax and the consensus
 *       quality the posterior of that label;</li>
 *   <li>annotator quality: w Q_j + (1 - w) A_j, with Q_j the mean posterior of the annotator's own answers, A_j its
 *       agreement with the consensus on items with several answers, and w = w_M / (w_M + mean_j w_j).</li>
 * </ol>
 * Departures, for inputs the paper does not cover: with no item answered twice, steps 2–3 use every answered item
 * (each annotator then agrees with itself: weight 1); otherwise an annotator with no shared item gets the mean weight
 * of the others, and A_j from all of its answers; an item without probabilities is decided by its answers alone. Items nobody answered get label -1 (their posterior: the model's probabilities, else uniform).
 */
public final class Crowdlab {

    static final double CLIP = 1e-6;

    /**
     * What CROWDLAB concluded.
     *
     * @param consensus        labels, posterior, class priors (consensus label shares), and per annotator the confusion
     *                         matrix, accuracy and agreement measured against the consensus labels
     * @param consensusQuality consensusQuality[item]: posterior probability of its consensus label (0 when unanswered)
     * @param annotatorQuality annotatorQuality[annotator]: the CROWDLAB quality score in [0, 1] (NaN with no answers)
     * @param annotatorWeight  annotatorWeight[annotator]: w_j
     * @param modelWeight      w_M (0 when no item has probabilities)
     * @param likelihood       P, the likelihood that an answer equals the consensus label
     */
    public record Result(ConsensusResult consensus, double[] consensusQuality, double[] annotatorQuality,
                         double[] annotatorWeight, double modelWeight, double likelihood) {
    }

    private Crowdlab() {
    }

    /**
     * @param set           the answers
     * @param probabilities probabilities[item][class] from a model that did not see the item's labels (out of
     *                      sample), or null for an item without them; each row has {@code set.classes()} entries
     */
    public static Result fit(AnnotationSet set, double[][] probabilities) {
        int n = set.items();
        int m = set.annotators();
        int k = set.classes();
        if (probabilities.length != n) {
            throw new IllegalArgumentException("probabilities has " + probabilities.length + " rows for " + n + " items");
        }
        for (int i = 0; i < n; i++) {
            if (probabilities[i] != null && probabilities[i].length != k) {
                throw new IllegalArgumentException("probabilities[" + i + "] has " + probabilities[i].length
                        + " classes, expected " + k);
            }
        }
        int[][] counts = set.countsPerItem();
        int[] total = new int[n];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < k; c++) {
                total[i] += counts[i][c];
            }
        }
        int[] initial = majority(counts, total, probabilities);
        boolean anyShared = Arrays.stream(total).anyMatch(t -> t >= 2);
        int minAnswers = anyShared ? 2 : 1; // the items the weights are estimated on

        // P and the most-frequent-class error, over the estimation items
        double agreeSum = 0;
        int estimationItems = 0;
        int[] consensusCounts = new int[k];
        for (int i = 0; i < n; i++) {
            if (total[i] >= minAnswers) {
                agreeSum += counts[i][initial[i]] / (double) total[i];
                consensusCounts[initial[i]]++;
                estimationItems++;
            }
        }
        double likelihood = estimationItems == 0 ? 1.0 : agreeSum / estimationItems;
        double mostFrequentError = estimationItems == 0 ? CLIP
                : Math.max(CLIP, 1.0 - Arrays.stream(consensusCounts).max().orElse(0) / (double) estimationItems);

        double[] weight = annotatorWeights(set, counts, total, mostFrequentError, minAnswers);

        // model weight: its error against the initial consensus
        int modelItems = 0;
        int modelWrong = 0;
        int answeredItems = 0;
        long answers = 0;
        for (int i = 0; i < n; i++) {
            if (total[i] > 0) {
                answeredItems++;
                answers += total[i];
            }
            if (total[i] >= minAnswers && probabilities[i] != null) {
                modelItems++;
                modelWrong += DawidSkene.argmax(probabilities[i]) != initial[i] ? 1 : 0;
            }
        }
        double modelWeight = modelItems == 0 ? 0.0
                : Math.max(1.0 - (modelWrong / (double) modelItems) / mostFrequentError, CLIP)
                * Math.sqrt(answeredItems == 0 ? 0 : answers / (double) answeredItems);

        // posterior: weighted average of the model and of each answer's likelihood
        double other = k == 1 ? 0.0 : (1.0 - likelihood) / (k - 1);
        double[][] posterior = new double[n][k];
        double[] denominator = new double[n];
        for (int i = 0; i < n; i++) {
            if (probabilities[i] != null && (total[i] == 0 || modelWeight > 0)) {
                double w = total[i] == 0 ? 1.0 : modelWeight;
                for (int c = 0; c < k; c++) {
                    posterior[i][c] = w * probabilities[i][c];
                }
                denominator[i] = w;
            }
        }
        for (Annotation a : set.annotations()) {
            double w = weight[a.annotator()];
            double[] row = posterior[a.item()];
            for (int c = 0; c < k; c++) {
                row[c] += w * (c == a.label() ? likelihood : other);
            }
            denominator[a.item()] += w;
        }
        int[] labels = new int[n];
        double[] quality = new double[n];
        double[] priors = new double[k];
        int labelled = 0;
        for (int i = 0; i < n; i++) {
            if (denominator[i] > 0) {
                for (int c = 0; c < k; c++) {
                    posterior[i][c] /= denominator[i];
                }
            } else {
                Arrays.fill(posterior[i], 1.0 / k);
            }
            labels[i] = total[i] == 0 ? -1 : DawidSkene.argmax(posterior[i]);
            if (labels[i] >= 0) {
                quality[i] = posterior[i][labels[i]];
                priors[labels[i]]++;
                labelled++;
            }
        }
        for (int c = 0; c < k; c++) {
            priors[c] = labelled == 0 ? 1.0 / k : priors[c] / labelled;
        }

        // annotator quality
        double[] meanPosterior = new double[m];
        double[] answered = new double[m];
        double[] sharedAgree = new double[m];
        double[] shared = new double[m];
        double[] allAgree = new double[m];
        for (Annotation a : set.annotations()) {
            int j = a.annotator();
            meanPosterior[j] += posterior[a.item()][a.label()];
            answered[j]++;
            double agrees = a.label() == labels[a.item()] ? 1 : 0;
            allAgree[j] += agrees;
            if (total[a.item()] >= 2) {
                sharedAgree[j] += agrees;
                shared[j]++;
            }
        }
        double meanWeight = 0;
        int weighted = 0;
        for (int j = 0; j < m; j++) {
            if (answered[j] > 0) {
                meanWeight += weight[j];
                weighted++;
            }
        }
        meanWeight = weighted == 0 ? 0 : meanWeight / weighted;
        double mix = modelWeight + meanWeight == 0 ? 0 : modelWeight / (modelWeight + meanWeight);
        double[] annotatorQuality = new double[m];
        for (int j = 0; j < m; j++) {
            if (answered[j] == 0) {
                annotatorQuality[j] = Double.NaN;
                continue;
            }
            double q = meanPosterior[j] / answered[j];
            double agreement = shared[j] > 0 ? sharedAgree[j] / shared[j] : allAgree[j] / answered[j];
            annotatorQuality[j] = mix * q + (1 - mix) * agreement;
        }
        ConsensusResult consensus = MajorityVote.Scores.against(set, posterior, labels, priors, 1, true, Double.NaN);
        return new Result(consensus, quality, annotatorQuality, weight, modelWeight, likelihood);
    }

    /** Majority vote per item, ties to the class the model gives more probability (else the lowest index); -1 if unanswered. */
    private static int[] majority(int[][] counts, int[] total, double[][] probabilities) {
        int[] out = new int[counts.length];
        for (int i = 0; i < counts.length; i++) {
            out[i] = -1;
            if (total[i] == 0) {
                continue;
            }
            int best = 0;
            for (int c = 1; c < counts[i].length; c++) {
                boolean more = counts[i][c] > counts[i][best];
                boolean tieWon = counts[i][c] == counts[i][best] && probabilities[i] != null
                        && probabilities[i][c] > probabilities[i][best];
                if (more || tieWon) {
                    best = c;
                }
            }
            out[i] = best;
        }
        return out;
    }

    /** w_j from each annotator's agreement with the other annotators on the items they share. */
    private static double[] annotatorWeights(AnnotationSet set, int[][] counts, int[] total, double mostFrequentError,
                                             int minAnswers) {
        int m = set.annotators();
        double[] agree = new double[m];
        double[] items = new double[m];
        for (Annotation a : set.annotations()) {
            int t = total[a.item()];
            if (t >= 2) {
                agree[a.annotator()] += (counts[a.item()][a.label()] - 1) / (double) (t - 1);
                items[a.annotator()]++;
            } else if (minAnswers == 1) {
                agree[a.annotator()] += 1.0; // nobody to disagree with
                items[a.annotator()]++;
            }
        }
        double[] w = new double[m];
        double sum = 0;
        int known = 0;
        for (int j = 0; j < m; j++) {
            if (items[j] > 0) {
                double error = 1.0 - agree[j] / items[j];
                w[j] = Math.max(1.0 - error / mostFrequentError, CLIP);
                sum += w[j];
                known++;
            }
        }
        double fallback = known == 0 ? 1.0 : sum / known;
        for (int j = 0; j < m; j++) {
            if (items[j] == 0) {
                w[j] = fallback;
            }
        }
        return w;
    }
}
