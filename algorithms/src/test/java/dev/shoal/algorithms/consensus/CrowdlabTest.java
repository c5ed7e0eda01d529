package dev.shoal.algorithms.consensus;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CrowdlabTest {

    static final int ITEMS = 2000;
    static final int CLASSES = 10;
    static final double CAREFUL = 0.957;
    static final double SLOPPY = 0.802;

    /** Two annotators, each item answered by one or both, a 10-class model of about 85% accuracy. */
    record Simulation(AnnotationSet set, double[][] probabilities, int[] truth, double modelAccuracy) {
    }

    static Simulation simulate(long seed) {
        Random r = new Random(seed);
        int[] truth = new int[ITEMS];
        double[][] p = new double[ITEMS][];
        List<Annotation> answers = new ArrayList<>();
        int modelRight = 0;
        for (int i = 0; i < ITEMS; i++) {
            truth[i] = r.nextInt(CLASSES);
            int predicted = r.nextDouble() < 0.85 ? truth[i] : otherThan(truth[i], r);
            modelRight += predicted == truth[i] ? 1 : 0;
            p[i] = probabilities(predicted, truth[i], r);
            int who = r.nextInt(3); // 0: careful only, 1: sloppy only, 2: both
            if (who != 1) {
                answers.add(new Annotation(i, 0, answer(truth[i], CAREFUL, r)));
            }
            if (who != 0) {
                answers.add(new Annotation(i, 1, answer(truth[i], SLOPPY, r)));
            }
        }
        return new Simulation(new AnnotationSet(ITEMS, 2, CLASSES, answers), p, truth, modelRight / (double) ITEMS);
    }

    /** The predicted class gets 0.4-0.95; when the model is wrong the true class keeps some of the rest. */
    private static double[] probabilities(int predicted, int truth, Random r) {
        double[] p = new double[CLASSES];
        double top = 0.4 + 0.55 * r.nextDouble();
        double rest = 1 - top;
        double sum = 0;
        for (int c = 0; c < CLASSES; c++) {
            if (c != predicted) {
                p[c] = r.nextDouble() + (c == truth ? 2.0 : 0.0);
                sum += p[c];
            }
        }
        for (int c = 0; c < CLASSES; c++) {
            p[c] = c == predicted ? top : rest * p[c] / sum;
        }
        return p;
    }

    private static int answer(int truth, double accuracy, Random r) {
        return r.nextDouble() < accuracy ? truth : otherThan(truth, r);
    }

    private static int otherThan(int c, Random r) {
        return (c + 1 + r.nextInt(CLASSES - 1)) % CLASSES;
    }

    @Test
    void ranksTheCarefulLabelerAboveTheSloppyOneWhereDawidSkeneCannotTellThemApart() {
        Simulation s = simulate(11);
        Crowdlab.Result r = Crowdlab.fit(s.set(), s.probabilities());
        ConsensusResult ds = new DawidSkene().fit(s.set());
        double[] trueAccuracy = trueAccuracy(s);
        System.out.printf("model accuracy %.3f; true labeler accuracy %.3f / %.3f%n", s.modelAccuracy(),
                trueAccuracy[0], trueAccuracy[1]);
        System.out.printf("CROWDLAB quality %.3f / %.3f, accuracy vs consensus %.3f / %.3f, weights %.3f / %.3f, model %.3f%n",
                r.annotatorQuality()[0], r.annotatorQuality()[1], r.consensus().agreement()[0],
                r.consensus().agreement()[1], r.annotatorWeight()[0], r.annotatorWeight()[1], r.modelWeight());
        System.out.printf("Dawid-Skene accuracy %.3f / %.3f (converged %s)%n", ds.accuracy()[0], ds.accuracy()[1],
                ds.converged());
        System.out.printf("consensus accuracy: CROWDLAB %.3f, Dawid-Skene %.3f, majority vote %.3f%n",
                accuracy(r.consensus().labels(), s.truth()), accuracy(ds.labels(), s.truth()),
                accuracy(MajorityVote.fit(s.set()).labels(), s.truth()));

        // seed 11: model 0.840; true accuracy 0.954 / 0.816. CROWDLAB quality 0.812 / 0.737, agreement with its
        // consensus 0.935 / 0.865; Dawid-Skene 0.872 / 0.883 (not converged after 100 iterations): it ranks them the
        // wrong way round
        assertTrue(Math.abs(s.modelAccuracy() - 0.85) < 0.03);
        assertTrue(r.annotatorQuality()[0] - r.annotatorQuality()[1] > 0.05,
                "CROWDLAB quality " + r.annotatorQuality()[0] + " vs " + r.annotatorQuality()[1]);
        assertTrue(r.consensus().agreement()[0] - r.consensus().agreement()[1] > 0.05);
        // and the consensus is more often right than either answers-only method
        double crowdlab = accuracy(r.consensus().labels(), s.truth());
        assertTrue(crowdlab > accuracy(ds.labels(), s.truth()));
        assertTrue(crowdlab > accuracy(MajorityVote.fit(s.set()).labels(), s.truth()));
    }

    @Test
    void theModelBreaksATieBetweenTwoEquallyTrustedAnnotators() {
        // item 0: both say 1; item 1: both say 0; item 2: annotator 0 says 0, annotator 1 says 2; the model says 2
        List<Annotation> answers = List.of(new Annotation(0, 0, 1), new Annotation(0, 1, 1), new Annotation(1, 0, 0),
                new Annotation(1, 1, 0), new Annotation(2, 0, 0), new Annotation(2, 1, 2));
        double[][] p = {{0.1, 0.8, 0.1}, {0.8, 0.1, 0.1}, {0.1, 0.1, 0.8}, null};
        Crowdlab.Result r = Crowdlab.fit(new AnnotationSet(4, 2, 3, answers), p);
        // initial consensus 1, 0, 2 (tie broken by the model); P = (1 + 1 + 0.5) / 3; the model agrees on all three
        assertEquals(2.5 / 3, r.likelihood(), 1e-12);
        assertEquals(2, r.consensus().labels()[2]);
        assertEquals(-1, r.consensus().labels()[3]);
        // each annotator agrees with the other on 2 of 3 shared items: equal weights
        assertEquals(r.annotatorWeight()[0], r.annotatorWeight()[1], 1e-12);
        // most frequent consensus class error 2/3: w_j = 1 - (1/3) / (2/3) = 0.5; w_M = 1 × sqrt(2)
        assertEquals(0.5, r.annotatorWeight()[0], 1e-12);
        assertEquals(Math.sqrt(2), r.modelWeight(), 1e-12);
        // posterior of class 2 on item 2: (sqrt2·0.8 + 0.5·other + 0.5·P) / (sqrt2 + 1), other = (1 - P) / 2
        double pp = 2.5 / 3;
        double other = (1 - pp) / 2;
        assertEquals((Math.sqrt(2) * 0.8 + 0.5 * other + 0.5 * pp) / (Math.sqrt(2) + 1), r.consensusQuality()[2], 1e-12);
        assertTrue(r.annotatorQuality()[1] > r.annotatorQuality()[0]);
    }

    @Test
    void refusesProbabilitiesOfTheWrongShape() {
        AnnotationSet set = new AnnotationSet(2, 1, 3, List.of(new Annotation(0, 0, 1)));
        assertThrows(IllegalArgumentException.class, () -> Crowdlab.fit(set, new double[][] {{0.5, 0.5}, null}));
        assertThrows(IllegalArgumentException.class, () -> Crowdlab.fit(set, new double[1][]));
    }

    private static double[] trueAccuracy(Simulation s) {
        double[] right = new double[2];
        double[] all = new double[2];
        for (Annotation a : s.set().annotations()) {
            all[a.annotator()]++;
            right[a.annotator()] += a.label() == s.truth()[a.item()] ? 1 : 0;
        }
        return new double[] {right[0] / all[0], right[1] / all[1]};
    }

    private static double accuracy(int[] labels, int[] truth) {
        int right = 0;
        for (int i = 0; i < truth.length; i++) {
            right += labels[i] == truth[i] ? 1 : 0;
        }
        return right / (double) truth.length;
    }
}
