package dev.shoal.algorithms.labelerrors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.algorithms.labelerrors.ConfidentLearning.Filter;
import dev.shoal.algorithms.labelerrors.ConfidentLearning.Result;
import dev.shoal.algorithms.labelerrors.ConfidentLearning.Score;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConfidentLearningTest {

    // Worked by hand (see the comments): 9 examples, 3 classes, two planted errors (#2 is really 1, #5 really 2).
    static final int[] Y = {0, 0, 0, 1, 1, 1, 2, 2, 2};
    static final double[][] P = {
            {0.9, 0.05, 0.05}, {0.8, 0.1, 0.1}, {0.2, 0.7, 0.1},
            {0.1, 0.8, 0.1}, {0.2, 0.6, 0.2}, {0.1, 0.1, 0.8},
            {0.1, 0.1, 0.8}, {0.05, 0.05, 0.9}, {0.3, 0.3, 0.4}};

    @Test
    void thresholdsAreTheMeanSelfConfidencePerGivenClass() {
        double[] t = ConfidentLearning.thresholds(Y, P, 3);
        assertArrayEquals(new double[] {1.9 / 3, 0.5, 0.7}, t, 1e-12);
    }

    @Test
    void confidentJointMatchesTheHandCount() {
        // #0,#1 pass only t0 -> C[0][0]=2; #2 passes only t1 -> C[0][1]; #3,#4 -> C[1][1]; #5 passes t2 -> C[1][2];
        // #6,#7 -> C[2][2]; #8 passes no threshold (0.3<0.633, 0.3<0.5, 0.4<0.7) and is not counted.
        int[][] cj = ConfidentLearning.confidentJoint(Y, P, ConfidentLearning.thresholds(Y, P, 3));
        assertArrayEquals(new int[] {2, 1, 0}, cj[0]);
        assertArrayEquals(new int[] {0, 2, 1}, cj[1]);
        assertArrayEquals(new int[] {0, 0, 2}, cj[2]);
    }

    @Test
    void calibrationScalesEachRowToItsGivenLabelCount() {
        Result r = ConfidentLearning.findLabelIssues(Y, P);
        // row 2 = [0,0,2] scaled to its 3 given labels -> [0,0,3]; the total is then n = 9 already.
        assertArrayEquals(new int[] {2, 1, 0}, r.calibratedJoint()[0]);
        assertArrayEquals(new int[] {0, 2, 1}, r.calibratedJoint()[1]);
        assertArrayEquals(new int[] {0, 0, 3}, r.calibratedJoint()[2]);
        assertEquals(1.0 / 9, r.joint()[0][1], 1e-12);
        assertEquals(3.0 / 9, r.joint()[2][2], 1e-12);
        assertEquals(2, r.estimatedErrorCount());
    }

    @Test
    void pruneByNoiseRateFlagsTheLargestMarginsAndRanksBySelfConfidence() {
        Result r = ConfidentLearning.findLabelIssues(Y, P);
        // C[0][1]=1: among labelled-0, largest p1-p0 is #2 (0.5); C[1][2]=1: among labelled-1, largest p2-p1 is #5.
        assertArrayEquals(new int[] {5, 2}, r.rankedIssues()); // p_given: #5 0.1 < #2 0.2
        assertEquals(1, r.suggestedLabel()[2]);
        assertEquals(2, r.suggestedLabel()[5]);
        assertFalse(r.isIssue()[8]);
        assertEquals(0.25, r.normalizedMargin()[2], 1e-12); // (0.2 - 0.7 + 1) / 2
        assertEquals(0.15, r.normalizedMargin()[5], 1e-12);
        assertEquals(0.2, r.selfConfidence()[2], 1e-12);
    }

    @Test
    void pruneByClassAndBothAgreeOnTheHandExample() {
        for (Filter f : new Filter[] {Filter.PRUNE_BY_CLASS, Filter.BOTH}) {
            Result r = ConfidentLearning.findLabelIssues(Y, P, f, Score.NORMALIZED_MARGIN);
            assertArrayEquals(new int[] {5, 2}, r.rankedIssues(), f.toString());
        }
    }

    @Test
    void anExampleWhoseGivenLabelIsTheArgmaxIsNeverFlagged() {
        // Both labelled 0 with p0 the arg-max, but one is much less confident: no issue.
        int[] y = {0, 0, 1, 1};
        double[][] p = {{0.9, 0.1}, {0.55, 0.45}, {0.1, 0.9}, {0.2, 0.8}};
        Result r = ConfidentLearning.findLabelIssues(y, p, Filter.PRUNE_BY_CLASS, Score.SELF_CONFIDENCE);
        assertEquals(0, r.rankedIssues().length);
    }

    @Test
    void roundingPreservesRowTotalsLikeCleanlab() {
        assertArrayEquals(new int[] {1, 2, 1}, ConfidentLearning.roundPreservingSum(new double[] {1.4, 1.4, 1.2}));
        assertArrayEquals(new int[] {0, 2, 1}, ConfidentLearning.roundPreservingSum(new double[] {0.5, 1.5, 1.0}));
    }

    @Test
    void roundingTakesOnesAwayFromTheMostNegativeRemaindersFirst() {
        // {1.6, 1.6, 0.8} sums to 4 but rounds to {2, 2, 1} = 5: the 1 to take away comes from a remainder of -0.4
        // (tie between #0 and #1: the lower index), not from #2 (remainder -0.2) -> {1, 2, 1}.
        assertArrayEquals(new int[] {1, 2, 1}, ConfidentLearning.roundPreservingSum(new double[] {1.6, 1.6, 0.8}));
        assertArrayEquals(new int[] {0, 1, 2}, ConfidentLearning.roundPreservingSum(new double[] {0.6, 0.6, 1.8}));
    }

    @Test
    void anExampleWhoseOnlyPassingClassIsNotItsArgmaxIsCountedUnderThePassingClass() {
        // t = {(0.9+0.5)/2, (0.6+0.2)/2, 0.8} = {0.7, 0.4, 0.8}. #1 (labelled 0, p = .5/.45/.05) passes only t1
        // (0.5 < 0.7, 0.45 >= 0.4): the paper's y* is the arg-max over passing classes, so it counts in C[0][1]
        // although class 0 has the higher probability. #3 (labelled 1, p0 = 0.7 >= t0) counts in C[1][0].
        int[] y = {0, 0, 1, 1, 2, 2};
        double[][] p = {{0.9, 0.05, 0.05}, {0.5, 0.45, 0.05}, {0.3, 0.6, 0.1}, {0.7, 0.2, 0.1},
                {0.1, 0.1, 0.8}, {0.1, 0.1, 0.8}};
        int[][] cj = ConfidentLearning.confidentJoint(y, p, ConfidentLearning.thresholds(y, p, 3));
        assertArrayEquals(new int[] {1, 1, 0}, cj[0]);
        assertArrayEquals(new int[] {1, 1, 0}, cj[1]);
        assertArrayEquals(new int[] {0, 0, 2}, cj[2]);
        // #1 is the largest p1 - p0 among labelled-0 but its given label is its arg-max: only #3 is an issue.
        assertArrayEquals(new int[] {3}, ConfidentLearning.findLabelIssues(y, p).rankedIssues());
    }

    @Test
    void aClassNoExampleIsLabelledWithNeverPassesItsThreshold() {
        // Class 2 has probabilities but no example labelled 2. Its threshold is 2 (never reached), not 0 (always
        // reached): t = {0.7, 0.65, 2}. #0 (p0 0.6 < 0.7, p1 0.1) passes nothing and is not counted; with t2 = 0 it
        // would have landed in C[0][2], and #3 (p1 0.5 < 0.65) in C[1][2].
        int[] y = {0, 0, 1, 1};
        double[][] p = {{0.6, 0.1, 0.3}, {0.8, 0.1, 0.1}, {0.1, 0.8, 0.1}, {0.2, 0.5, 0.3}};
        double[] t = ConfidentLearning.thresholds(y, p, 3);
        assertArrayEquals(new double[] {0.7, 0.65, 2.0}, t, 1e-12);
        int[][] cj = ConfidentLearning.confidentJoint(y, p, t);
        assertArrayEquals(new int[] {1, 0, 0}, cj[0]);
        assertArrayEquals(new int[] {0, 1, 0}, cj[1]);
        assertArrayEquals(new int[] {0, 0, 1}, cj[2]); // only the diagonal clip
    }

    @Test
    void aThresholdIsNeverBelowTwiceTheComparisonTolerance() {
        // class 1's only example has p1 = 0, so its mean self-confidence is 0: unclipped, p1 >= 0 - 1e-6 would hold
        // for every example. t = {(1 + 0.5) / 2, 2e-6, 1}. #1 (labelled 0, p = .5/0/.5) then passes no threshold and
        // is not counted; with t1 = 0 it would pass only class 1 and land in C[0][1].
        int[] y = {0, 0, 1, 2, 2};
        double[][] p = {{1, 0, 0}, {0.5, 0, 0.5}, {1, 0, 0}, {0, 0, 1}, {0, 0, 1}};
        double[] t = ConfidentLearning.thresholds(y, p, 3);
        assertArrayEquals(new double[] {0.75, 2e-6, 1.0}, t, 0);
        int[][] cj = ConfidentLearning.confidentJoint(y, p, t);
        assertArrayEquals(new int[] {1, 0, 0}, cj[0]);
        assertArrayEquals(new int[] {1, 1, 0}, cj[1]); // #2 under class 0; C[1][1] is the diagonal clip
        assertArrayEquals(new int[] {0, 0, 2}, cj[2]);
    }

    @Test
    void findsMostPlantedFlipsWhenProbabilitiesReflectTheTruth() {
        Random r = new Random(7);
        int n = 3000;
        int k = 4;
        int[] truth = new int[n];
        int[] given = new int[n];
        double[][] p = new double[n][k];
        boolean[] flipped = new boolean[n];
        for (int i = 0; i < n; i++) {
            truth[i] = r.nextInt(k);
            given[i] = truth[i];
            if (r.nextDouble() < 0.1) {
                given[i] = (truth[i] + 1 + r.nextInt(k - 1)) % k;
                flipped[i] = true;
            }
            double conf = 0.5 + 0.45 * r.nextDouble();
            for (int c = 0; c < k; c++) p[i][c] = c == truth[i] ? conf : (1 - conf) / (k - 1);
        }
        Result res = ConfidentLearning.findLabelIssues(given, p);
        int tp = 0;
        for (int i : res.rankedIssues()) if (flipped[i]) tp++;
        int planted = 0;
        for (boolean f : flipped) if (f) planted++;
        assertTrue(tp > 0.95 * res.rankedIssues().length, "precision");
        assertTrue(tp > 0.9 * planted, "recall " + tp + "/" + planted);
        assertEquals(planted, res.estimatedErrorCount(), planted * 0.15);
    }

    @Test
    void malformedInputIsRejectedNamingTheRow() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfidentLearning.findLabelIssues(new int[] {0, 3}, new double[][] {{0.5, 0.5}, {0.5, 0.5}}));
        assertTrue(e.getMessage().contains("givenLabels[1]"), e.getMessage());
    }
}
