package dev.shoal.algorithms.outliers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.algorithms.knn.KnnGraph;
import dev.shoal.algorithms.testing.Blobs;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OutlierScoresTest {

    // Points on a line at 0, 1, 2 and 10 (distance = |x - y|), k = 2, neighbour lists written out by hand.
    static final KnnGraph LINE = KnnGraph.of(4, 2,
            new int[] {1, 2, 0, 2, 1, 0, 2, 1},
            new float[] {1, 2, 1, 1, 1, 2, 8, 9});

    @Test
    void localOutlierFactorMatchesTheHandComputation() {
        // k-distances 2,1,2,9; lrd = 1/1.5, 1/2, 1/1.5, 1/8.5
        double[] lof = LocalOutlierFactor.scores(LINE, 2);
        assertEquals((0.5 + 2.0 / 3) / 2 / (2.0 / 3), lof[0], 1e-9); // 0.875
        assertEquals((2.0 / 3 + 2.0 / 3) / 2 / 0.5, lof[1], 1e-9); // 1.333
        assertEquals((0.5 + 2.0 / 3) / 2 * 8.5, lof[3], 1e-9); // 4.958
    }

    @Test
    void knnDistanceScoresOfTheLine() {
        assertArrayEquals(new double[] {2, 1, 2, 9}, KnnOutliers.kthDistance(LINE, 2), 1e-9);
        assertArrayEquals(new double[] {1.5, 1, 1.5, 8.5}, KnnOutliers.meanDistance(LINE, 2), 1e-9);
        assertEquals(3, KnnOutliers.rankDescending(KnnOutliers.meanDistance(LINE, 2))[0]);
    }

    @Test
    void plantedOutliersRankOnTopForBothScores() {
        Blobs b = Blobs.generate(3000, 32, 10, 0.3, 21);
        Random r = new Random(2);
        Set<Integer> planted = new HashSet<>();
        for (int q = 0; q < 15; q++) {
            int i = r.nextInt(3000);
            if (!planted.add(i)) continue;
            for (int d = 0; d < 32; d++) b.x[i][d] = (float) r.nextGaussian(); // far from every centre
        }
        KnnGraph g = KnnGraph.build(b.x, 10);
        for (double[] s : new double[][] {KnnOutliers.meanDistance(g, 10), LocalOutlierFactor.scores(g, 10)}) {
            int[] rank = KnnOutliers.rankDescending(s);
            int hits = 0;
            for (int q = 0; q < planted.size(); q++) if (planted.contains(rank[q])) hits++;
            assertEquals(planted.size(), hits);
        }
        double[] lof = LocalOutlierFactor.scores(g, 10);
        double inlierMean = 0;
        for (int i = 0; i < 3000; i++) if (!planted.contains(i)) inlierMean += lof[i];
        assertTrue(Math.abs(inlierMean / (3000 - planted.size()) - 1) < 0.1, "inliers' LOF near 1");
    }
}
