package dev.shoal.algorithms.knn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.algorithms.testing.Blobs;
import org.junit.jupiter.api.Test;

class KnnGraphTest {

    @Test
    void nnDescentFindsNearlyAllTrueNeighboursOfClusteredVectors() {
        Blobs b = Blobs.generate(3000, 48, 20, 0.6, 1);
        KnnGraph g = KnnGraph.build(b.x, KnnGraph.Params.defaults(10).withThreads(2));
        int[][] exact = Blobs.exactKnn(b.x, 10);
        double recall = g.recallAgainst(exact);
        assertTrue(recall > 0.95, "recall@10 " + recall);
    }

    @Test
    void isolatedPointsAmongTightClustersKeepTheirTrueNeighbourDistances() {
        // Many tight, well-separated clusters plus isolated points: the case where a greedy HNSW search per node
        // left some cluster members with neighbours in other clusters (so they looked like outliers).
        Blobs b = Blobs.generate(4000, 96, 100, 0.3, 11);
        java.util.Random r = new java.util.Random(12);
        int isolated = 30;
        for (int q = 0; q < isolated; q++) {
            for (int d = 0; d < 96; d++) b.x[q * 130][d] = (float) r.nextGaussian();
        }
        KnnGraph g = KnnGraph.build(b.x, 10);
        int[][] exact = Blobs.exactKnn(b.x, 10);
        double worstGap = 0;
        double worstIsolatedGap = 0;
        for (int i = 0; i < b.x.length; i++) {
            double graphMean = 0;
            double exactMean = 0;
            for (int j = 0; j < 10; j++) {
                graphMean += g.distance(i, j);
                exactMean += KnnGraph.cosineDistance(b.x[i], b.x[exact[i][j]]);
            }
            if (i % 130 == 0 && i < isolated * 130) {
                worstIsolatedGap = Math.max(worstIsolatedGap, (graphMean - exactMean) / 10);
            } else {
                worstGap = Math.max(worstGap, (graphMean - exactMean) / 10);
            }
        }
        // isolated points: approximate lists can only over-estimate distances (observed: by up to ~0.13 on average
        // here), which makes them look more outlying, never less
        assertTrue(worstIsolatedGap >= -1e-6 && worstIsolatedGap < 0.3, "isolated points' excess " + worstIsolatedGap);
        // cluster members: their neighbours are (nearly) their true ones
        assertTrue(worstGap < 0.02, "largest excess of a cluster member's mean neighbour distance over the exact one: " + worstGap);
        int[] rank = dev.shoal.algorithms.outliers.KnnOutliers.rankDescending(
                dev.shoal.algorithms.outliers.KnnOutliers.meanDistance(g, 10));
        for (int q = 0; q < isolated; q++) {
            assertEquals(0, rank[q] % 130, "rank " + q + " is node " + rank[q] + ", not an isolated point");
        }
    }

    @Test
    void singleThreadedBuildIsAFunctionOfTheInputAndTheSeed() {
        Blobs b = Blobs.generate(3000, 32, 15, 0.5, 5);
        KnnGraph.Params p = KnnGraph.Params.defaults(8).withThreads(1).withSeed(3);
        KnnGraph g1 = KnnGraph.build(b.x, p);
        KnnGraph g2 = KnnGraph.build(b.x, p);
        for (int i = 0; i < g1.size(); i++) {
            assertArrayEquals(g1.neighbors(i), g2.neighbors(i));
        }
    }

    @Test
    void smallInputsGetTheExactGraph() {
        Blobs b = Blobs.generate(600, 24, 8, 0.7, 8);
        KnnGraph g = KnnGraph.build(b.x, 12);
        assertEquals(1.0, g.recallAgainst(Blobs.exactKnn(b.x, 12)), 1e-9);
    }

    @Test
    void nearDuplicatesOfIsolatedPointsFindEachOther() {
        // isolated points (random directions, far from every blob): their near-copies must still come out as
        // each other's nearest neighbour
        Blobs b = Blobs.generate(4000, 64, 20, 0.8, 6);
        java.util.Random r = new java.util.Random(9);
        for (int q = 0; q < 40; q++) {
            int i = 100 * q;
            for (int d = 0; d < 64; d++) b.x[i][d] = (float) r.nextGaussian();
            for (int d = 0; d < 64; d++) b.x[i + 1][d] = b.x[i][d] + (float) (0.001 * r.nextGaussian());
        }
        KnnGraph g = KnnGraph.build(b.x, 10);
        int linked = 0;
        for (int q = 0; q < 40; q++) if (g.neighbor(100 * q, 0) == 100 * q + 1 || g.neighbor(100 * q + 1, 0) == 100 * q) linked++;
        assertTrue(linked >= 38, "linked pairs " + linked + " of 40");
    }

    @Test
    void singleThreadedBuildGivesTheSameQuality() {
        Blobs b = Blobs.generate(1500, 16, 10, 0.5, 2);
        KnnGraph g = KnnGraph.build(b.x, KnnGraph.Params.defaults(8).withThreads(1));
        assertTrue(g.recallAgainst(Blobs.exactKnn(b.x, 8)) > 0.95);
    }

    @Test
    void neighboursExcludeTheNodeItselfAndAreSortedByCosineDistance() {
        Blobs b = Blobs.generate(2500, 8, 5, 0.3, 3);
        KnnGraph g = KnnGraph.build(b.x, 6);
        for (int i = 0; i < g.size(); i++) {
            for (int j = 0; j < g.k(); j++) {
                assertNotEquals(i, g.neighbor(i, j));
                assertEquals(KnnGraph.cosineDistance(b.x[i], b.x[g.neighbor(i, j)]), g.distance(i, j), 1e-4);
                if (j > 0) assertTrue(g.distance(i, j) >= g.distance(i, j - 1));
            }
        }
    }

    @Test
    void cosineDistancesOfAHandDrawnTriangle() {
        float[][] x = {{1, 0}, {0, 1}, {1, 1}, {-1, 0}};
        KnnGraph g = KnnGraph.build(x, 3);
        // node 0: (1,1) at 1-1/sqrt2, then (0,1) at 1, then (-1,0) at 2
        assertArrayEquals(new int[] {2, 1, 3}, g.neighbors(0));
        assertEquals(1 - 1 / Math.sqrt(2), g.distance(0, 0), 1e-5);
        assertEquals(1.0, g.distance(0, 1), 1e-5);
        assertEquals(2.0, g.distance(0, 2), 1e-5);
    }

    @Test
    void kIsCappedAtNMinusOne() {
        KnnGraph g = KnnGraph.build(new float[][] {{1, 0}, {0, 1}}, 5);
        assertEquals(1, g.k());
        assertEquals(1, g.neighbor(0, 0));
        assertEquals(0, g.neighbor(1, 0));
    }

    @Test
    void ragedInputIsRejectedNamingTheRow() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KnnGraph.build(new float[][] {{1, 0}, {0, 1, 2}}, 1));
        assertTrue(e.getMessage().contains("vector 1"));
    }
}
