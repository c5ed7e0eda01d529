package dev.shoal.algorithms.labelerrors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.algorithms.knn.KnnGraph;
import dev.shoal.algorithms.labelerrors.OutOfSampleProbabilities.KnnOptions;
import dev.shoal.algorithms.labelerrors.OutOfSampleProbabilities.ProbeOptions;
import dev.shoal.algorithms.testing.Blobs;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OutOfSampleProbabilitiesTest {

    // 4 nodes, 2 neighbours each; labels 0,0,1,-1 (node 3 unlabelled)
    static final KnnGraph G = KnnGraph.of(4, 2,
            new int[] {1, 2, 0, 3, 1, 0, 2, 1},
            new float[] {0.1f, 0.3f, 0.1f, 0.2f, 0.2f, 0.3f, 0.1f, 0.2f});
    static final int[] Y = {0, 0, 1, -1};

    @Test
    void leaveOneOutPlainVoteWithLaplaceSmoothing() {
        double[][] p = OutOfSampleProbabilities.knn(G, Y, 2, new KnnOptions(1, false, 1.0, 0));
        // node 0: neighbours 1 (label 0) and 2 (label 1): ((1+.5)/3, (1+.5)/3)
        assertArrayEquals(new double[] {0.5, 0.5}, p[0], 1e-12);
        // node 1: neighbours 0 (label 0) and 3 (unlabelled, skipped): ((1+.5)/2, .5/2)
        assertArrayEquals(new double[] {0.75, 0.25}, p[1], 1e-12);
        // node 3 (unlabelled) still gets probabilities: neighbours 2 (1) and 1 (0)
        assertArrayEquals(new double[] {0.5, 0.5}, p[3], 1e-12);
    }

    @Test
    void distanceWeightingFavoursTheCloserNeighbour() {
        double[][] p = OutOfSampleProbabilities.knn(G, Y, 2, new KnnOptions(1, true, 0.0, 0));
        // node 0: w(1) = 1/0.11, w(2) = 1/0.31 -> p0 = 0.31 / 0.42
        assertEquals(0.31 / 0.42, p[0][0], 1e-6);
        assertEquals(0.11 / 0.42, p[0][1], 1e-6);
    }

    @Test
    void neighboursInTheSameFoldNeverVote() {
        Blobs b = Blobs.generate(600, 8, 3, 0.3, 5);
        KnnGraph g = KnnGraph.build(b.x, 10);
        KnnOptions o = new KnnOptions(3, false, 0.0, 9);
        int[] fold = OutOfSampleProbabilities.assignFolds(600, 3, 9);
        double[][] p = OutOfSampleProbabilities.knn(g, b.blob, 3, o);
        for (int i = 0; i < 600; i++) {
            double[] expect = new double[3];
            int used = 0;
            for (int j = 0; j < g.k(); j++) {
                int nb = g.neighbor(i, j);
                if (fold[nb] != fold[i]) {
                    expect[b.blob[nb]]++;
                    used++;
                }
            }
            for (int c = 0; c < 3; c++) expect[c] = used == 0 ? 1.0 / 3 : expect[c] / used;
            assertArrayEquals(expect, p[i], 1e-9, "node " + i);
        }
    }

    @Test
    void foldsAreBalanced() {
        int[] f = OutOfSampleProbabilities.assignFolds(103, 5, 1);
        int[] count = new int[5];
        for (int v : f) count[v]++;
        for (int c : count) assertTrue(c == 20 || c == 21);
    }

    @Test
    void logisticProbeIsAccurateOutOfSampleAndFindsPlantedFlips() {
        Blobs b = Blobs.generate(3000, 32, 6, 1.2, 11);
        int[] given = b.blob.clone();
        Random r = new Random(3);
        boolean[] flipped = new boolean[given.length];
        for (int i = 0; i < given.length; i++) {
            if (r.nextDouble() < 0.1) {
                given[i] = (given[i] + 1 + r.nextInt(5)) % 6;
                flipped[i] = true;
            }
        }
        double[][] p = OutOfSampleProbabilities.logisticProbe(b.x, given, 6,
                new ProbeOptions(5, 10, 0.01, 1e-4, 64, 2, 1));
        int correct = 0;
        for (int i = 0; i < p.length; i++) {
            double s = 0;
            int arg = 0;
            for (int c = 0; c < 6; c++) {
                s += p[i][c];
                if (p[i][c] > p[i][arg]) arg = c;
            }
            assertEquals(1.0, s, 1e-9);
            if (arg == b.blob[i]) correct++;
        }
        assertTrue(correct > 0.95 * p.length, "out-of-sample accuracy " + correct);
        ConfidentLearning.Result res = ConfidentLearning.findLabelIssues(given, p);
        int tp = 0;
        for (int i : res.rankedIssues()) if (flipped[i]) tp++;
        assertTrue(tp > 0.9 * res.rankedIssues().length, "precision " + tp + "/" + res.rankedIssues().length);
    }

    @Test
    void knnProbabilitiesFeedConfidentLearning() {
        Blobs b = Blobs.generate(4000, 32, 8, 1.0, 13);
        int[] given = b.blob.clone();
        Random r = new Random(4);
        int planted = 0;
        boolean[] flipped = new boolean[given.length];
        for (int i = 0; i < given.length; i++) {
            if (r.nextDouble() < 0.1) {
                given[i] = (given[i] + 1 + r.nextInt(7)) % 8;
                flipped[i] = true;
                planted++;
            }
        }
        KnnGraph g = KnnGraph.build(b.x, 15);
        double[][] p = OutOfSampleProbabilities.knn(g, given, 8, KnnOptions.defaults());
        ConfidentLearning.Result res = ConfidentLearning.findLabelIssues(given, p);
        int tp = 0;
        for (int i : res.rankedIssues()) if (flipped[i]) tp++;
        assertTrue(tp > 0.9 * res.rankedIssues().length, "precision");
        assertTrue(tp > 0.8 * planted, "recall " + tp + "/" + planted);
    }
}
