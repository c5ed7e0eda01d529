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
    void hnswGraphFindsNearlyAllTrueNeighboursOfClusteredVectors() {
        Blobs b = Blobs.generate(3000, 48, 20, 0.6, 1);
        KnnGraph g = KnnGraph.build(b.x, KnnGraph.Params.defaults(10).withThreads(2));
        int[][] exact = Blobs.exactKnn(b.x, 10);
        double recall = g.recallAgainst(exact);
        assertTrue(recall > 0.95, "recall@10 " + recall);
    }

    @Test
    void indexOnAProjectionWithExactReRankingKeepsRecallOnLowRankData() {
        // 128-d vectors that live near a 12-d subspace, as learned embeddings mostly do
        java.util.Random r = new java.util.Random(4);
        float[][] basis = new float[12][128];
        for (float[] row : basis) for (int d = 0; d < 128; d++) row[d] = (float) r.nextGaussian();
        float[][] x = new float[3000][128];
        for (float[] row : x) {
            for (int q = 0; q < 12; q++) {
                float c = (float) r.nextGaussian();
                for (int d = 0; d < 128; d++) row[d] += c * basis[q][d];
            }
            for (int d = 0; d < 128; d++) row[d] += (float) (0.05 * r.nextGaussian());
        }
        KnnGraph g = KnnGraph.build(x, KnnGraph.Params.defaults(10).withIndexDims(16));
        double recall = g.recallAgainst(Blobs.exactKnn(x, 10));
        assertTrue(recall > 0.9, "recall@10 " + recall);
        for (int i = 0; i < 100; i++) {
            assertEquals(KnnGraph.cosineDistance(x[i], x[g.neighbor(i, 0)]), g.distance(i, 0), 1e-4); // exact distances
        }
    }

    @Test
    void nearDuplicatesOfIsolatedPointsFindEachOther() {
        // isolated points (random directions, far from every blob) are hard for a greedy HNSW search;
        // their near-copies must still come out as each other's nearest neighbour
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
