package dev.shoal.algorithms.consensus;

/**
 * What a consensus method concluded.
 *
 * @param posterior   posterior[item][class]: probability of each true class (majority vote: vote shares)
 * @param labels      labels[item]: the most probable class, or -1 for an item nobody answered
 * @param priors      priors[class]: estimated class prevalence
 * @param confusion   confusion[annotator][trueClass][answeredClass]: estimated error rates (rows sum to 1);
 *                    for majority vote, measured against the majority label
 * @param accuracy    accuracy[annotator]: sum over true classes of prior x P(correct | class), or NaN for an
 *                    annotator with no answers
 * @param agreement   agreement[annotator]: share of the annotator's answers equal to the consensus label
 *                    (NaN with no answers)
 * @param iterations  EM iterations run (0 for majority vote)
 * @param converged   whether EM stopped because it converged rather than at the iteration cap
 * @param logLikelihood the marginal log-likelihood of the answers at the final parameters (NaN for majority vote)
 */
public record ConsensusResult(double[][] posterior, int[] labels, double[] priors, double[][][] confusion,
                              double[] accuracy, double[] agreement, int iterations, boolean converged,
                              double logLikelihood) {

    /** Posterior probability of the chosen label of one item (0 when nobody answered it). */
    public double confidence(int item) {
        return labels[item] < 0 ? 0.0 : posterior[item][labels[item]];
    }
}
