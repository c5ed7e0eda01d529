package dev.shoal.algorithms.consensus;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DawidSkeneTest {

    /**
     * Four items, three annotators A, B, C, two classes:
     * <pre>
     *          A  B  C
     * item 0:  0  0  1
     * item 1:  1  1  1
     * item 2:  0  1  0
     * item 3:  1  1  0
     * </pre>
     * Initial T = answer shares: (2/3,1/3), (0,1), (2/3,1/3), (1/3,2/3). Worked by hand, without smoothing:
     * p = (5/12, 7/12); A: π_0 = (0.8, 0.2), π_1 = (2/7, 5/7); B: π_0 = (0.4, 0.6), π_1 = (1/7, 6/7);
     * C: π_0 = (0.6, 0.4), π_1 = (3/7, 4/7). E-step for item 0 (answers 0, 0, 1):
     * class 0 ∝ 5/12·0.8·0.4·0.4, class 1 ∝ 7/12·2/7·1/7·4/7.
     */
    @Test
    void oneEmIterationMatchesTheHandWorkedExample() {
        AnnotationSet set = handWorked();
        ConsensusResult r = new DawidSkene(1, 0, 0).fit(set);

        assertArrayEquals(new double[]{5.0 / 12, 7.0 / 12}, r.priors(), 1e-12);
        assertArrayEquals(new double[]{0.8, 0.2}, r.confusion()[0][0], 1e-12);
        assertArrayEquals(new double[]{2.0 / 7, 5.0 / 7}, r.confusion()[0][1], 1e-12);
        assertArrayEquals(new double[]{0.4, 0.6}, r.confusion()[1][0], 1e-12);
        assertArrayEquals(new double[]{1.0 / 7, 6.0 / 7}, r.confusion()[1][1], 1e-12);
        assertArrayEquals(new double[]{0.6, 0.4}, r.confusion()[2][0], 1e-12);
        assertArrayEquals(new double[]{3.0 / 7, 4.0 / 7}, r.confusion()[2][1], 1e-12);

        double c0 = 5.0 / 12 * 0.8 * 0.4 * 0.4;
        double c1 = 7.0 / 12 * (2.0 / 7) * (1.0 / 7) * (4.0 / 7);
        assertEquals(c0 / (c0 + c1), r.posterior()[0][0], 1e-12);
        assertEquals(0, r.labels()[0]);
        // accuracy of A = Σ p_k π_kk = 5/12·0.8 + 7/12·5/7
        assertEquals(5.0 / 12 * 0.8 + 7.0 / 12 * 5.0 / 7, r.accuracy()[0], 1e-12);
        assertEquals(1, r.iterations());
    }

    @Test
    void majorityVoteOnTheHandWorkedExample() {
        ConsensusResult r = MajorityVote.fit(handWorked());
        assertArrayEquals(new int[]{0, 1, 0, 1}, r.labels());
        assertArrayEquals(new double[]{2.0 / 3, 1.0 / 3}, r.posterior()[0], 1e-12);
        // A agrees with all 4 majority labels, B with 3 (item 2), C with 2 (items 0 and 3 differ)
        assertArrayEquals(new double[]{1.0, 0.75, 0.5}, r.agreement(), 1e-12);
        assertArrayEquals(new double[]{0.5, 0.5}, r.priors(), 1e-12);
    }

    @Test
    void emConvergesAndNeverLowersTheLikelihood() {
        AnnotationSet set = handWorked();
        double previous = Double.NEGATIVE_INFINITY;
        for (int it = 1; it <= 20; it++) {
            double ll = new DawidSkene(it, 0, 0).fit(set).logLikelihood();
            assertTrue(ll >= previous - 1e-9, "iteration " + it + " lowered the log-likelihood");
            previous = ll;
        }
        ConsensusResult r = new DawidSkene().fit(set);
        assertTrue(r.converged());
    }

    @Test
    void recoversTheErrorRatesOfASimulatedCrowdAndBeatsMajorityVote() {
        Random rnd = new Random(42);
        int items = 3000;
        int classes = 3;
        double[] prior = {0.5, 0.3, 0.2};
        // four honest annotators of decreasing skill and one spammer who answers class 0 most of the time
        double[] skill = {0.95, 0.85, 0.7, 0.55};
        int annotators = skill.length + 1;
        int[] truth = new int[items];
        List<Annotation> answers = new ArrayList<>();
        int[] correct = new int[annotators];
        int[] seen = new int[annotators];
        for (int i = 0; i < items; i++) {
            truth[i] = sample(prior, rnd);
            // every item gets 3 of the 5 annotators (sparse overlap, as in a real crowd)
            List<Integer> who = new ArrayList<>(List.of(0, 1, 2, 3, 4));
            java.util.Collections.shuffle(who, rnd);
            for (int j : who.subList(0, 3)) {
                int answer;
                if (j < skill.length) {
                    answer = rnd.nextDouble() < skill[j] ? truth[i] : otherThan(truth[i], classes, rnd);
                } else {
                    answer = rnd.nextDouble() < 0.8 ? 0 : rnd.nextInt(classes);
                }
                answers.add(new Annotation(i, j, answer));
                seen[j]++;
                if (answer == truth[i]) {
                    correct[j]++;
                }
            }
        }
        AnnotationSet set = new AnnotationSet(items, annotators, classes, answers);
        ConsensusResult ds = new DawidSkene().fit(set);
        ConsensusResult mv = MajorityVote.fit(set);

        for (int j = 0; j < annotators; j++) {
            double empirical = correct[j] / (double) seen[j];
            assertEquals(empirical, ds.accuracy()[j], 0.03, "annotator " + j + " accuracy");
        }
        assertArrayEquals(prior, ds.priors(), 0.03);
        // the spammer's row for true class 1 must show it mostly answers 0
        assertTrue(ds.confusion()[4][1][0] > 0.7, "spammer confusion " + ds.confusion()[4][1][0]);
        double dsAcc = accuracy(ds.labels(), truth);
        double mvAcc = accuracy(mv.labels(), truth);
        assertTrue(dsAcc > mvAcc, "Dawid-Skene " + dsAcc + " should beat majority vote " + mvAcc);
        assertTrue(dsAcc > 0.85, "Dawid-Skene accuracy " + dsAcc);
        assertTrue(ds.converged());
    }

    @Test
    void itemsNobodyAnsweredKeepThePriorAndNoLabel() {
        AnnotationSet set = new AnnotationSet(3, 2, 2, List.of(
                new Annotation(0, 0, 1), new Annotation(0, 1, 1), new Annotation(1, 0, 0), new Annotation(1, 1, 0)));
        ConsensusResult r = new DawidSkene().fit(set);
        assertEquals(-1, r.labels()[2]);
        assertEquals(0.0, r.confidence(2));
        assertArrayEquals(r.priors(), r.posterior()[2], 1e-12);
        assertEquals(1, r.labels()[0]);
        assertEquals(0, r.labels()[1]);
    }

    @Test
    void refusesAnswersOutsideTheDeclaredShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AnnotationSet(2, 2, 2, List.of(new Annotation(0, 0, 2))));
        assertTrue(e.getMessage().contains("annotations[0].label"), e.getMessage());
    }

    static AnnotationSet handWorked() {
        int[][] answers = {{0, 0, 1}, {1, 1, 1}, {0, 1, 0}, {1, 1, 0}};
        List<Annotation> list = new ArrayList<>();
        for (int i = 0; i < answers.length; i++) {
            for (int j = 0; j < 3; j++) {
                list.add(new Annotation(i, j, answers[i][j]));
            }
        }
        return new AnnotationSet(4, 3, 2, list);
    }

    private static int sample(double[] p, Random rnd) {
        double u = rnd.nextDouble();
        for (int c = 0; c < p.length; c++) {
            u -= p[c];
            if (u < 0) {
                return c;
            }
        }
        return p.length - 1;
    }

    private static int otherThan(int c, int classes, Random rnd) {
        int o = rnd.nextInt(classes - 1);
        return o >= c ? o + 1 : o;
    }

    private static double accuracy(int[] labels, int[] truth) {
        int ok = 0;
        for (int i = 0; i < truth.length; i++) {
            if (labels[i] == truth[i]) {
                ok++;
            }
        }
        return ok / (double) truth.length;
    }
}
