package dev.shoal.algorithms.projection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.algorithms.knn.KnnGraph;
import dev.shoal.algorithms.testing.Blobs;
import org.junit.jupiter.api.Test;

class UmapTest {

    /** Fraction of each point's 10 nearest 2-D neighbours that come from its own blob. */
    static double sameBlobNeighbourFraction(float[][] y, int[] blob) {
        int n = y.length;
        long same = 0;
        for (int i = 0; i < n; i++) {
            double[] d = new double[n];
            Integer[] idx = new Integer[n];
            for (int j = 0; j < n; j++) {
                double dx = y[i][0] - y[j][0];
                double dy = y[i][1] - y[j][1];
                d[j] = j == i ? Double.MAX_VALUE : dx * dx + dy * dy;
                idx[j] = j;
            }
            java.util.Arrays.sort(idx, (a, b) -> Double.compare(d[a], d[b]));
            for (int q = 0; q < 10; q++) if (blob[idx[q]] == blob[i]) same++;
        }
        return same / (10.0 * n);
    }

    @Test
    void wellSeparatedBlobsStaySeparatedInTwoDimensions() {
        Blobs b = Blobs.generate(1500, 32, 5, 0.3, 17);
        KnnGraph g = KnnGraph.build(b.x, 15);
        for (float[][] x : new float[][][] {b.x, null}) { // PCA and random initialisation
            float[][] y = Umap.embed(g, x, Umap.Options.defaults().withEpochs(200));
            assertEquals(1500, y.length);
            assertTrue(sameBlobNeighbourFraction(y, b.blob) > 0.99);
            // each blob's 2-D spread is small next to the distance between blob centres
            double[][] c = new double[5][2];
            int[] cnt = new int[5];
            for (int i = 0; i < 1500; i++) {
                c[b.blob[i]][0] += y[i][0];
                c[b.blob[i]][1] += y[i][1];
                cnt[b.blob[i]]++;
            }
            double spread = 0;
            for (int i = 0; i < 1500; i++) {
                double dx = y[i][0] - c[b.blob[i]][0] / cnt[b.blob[i]];
                double dy = y[i][1] - c[b.blob[i]][1] / cnt[b.blob[i]];
                spread += Math.sqrt(dx * dx + dy * dy) / 1500;
            }
            double minGap = Double.MAX_VALUE;
            for (int p = 0; p < 5; p++) {
                for (int q = p + 1; q < 5; q++) {
                    double dx = c[p][0] / cnt[p] - c[q][0] / cnt[q];
                    double dy = c[p][1] / cnt[p] - c[q][1] / cnt[q];
                    minGap = Math.min(minGap, Math.sqrt(dx * dx + dy * dy));
                }
            }
            assertTrue(minGap > 3 * spread, "gap " + minGap + " spread " + spread);
        }
    }

    @Test
    void abParametersMatchUmapLearnForTheDefaultsAndTheFitAgrees() {
        assertArrayEquals(new double[] {1.5769, 0.8951}, Umap.findAB(1.0, 0.1), 1e-4);
        // the curve fit, run for a nearby setting, lands close to umap-learn's constants
        double[] fitted = Umap.findAB(1.0, 0.1000001);
        assertEquals(1.577, fitted[0], 0.05);
        assertEquals(0.895, fitted[1], 0.02);
    }

    @Test
    void fuzzySetMembershipOfTheNearestNeighbourIsOne() {
        Blobs b = Blobs.generate(300, 8, 3, 0.3, 2);
        KnnGraph g = KnnGraph.build(b.x, 10);
        Umap.Edges e = Umap.fuzzySimplicialSet(g);
        // every node's edge to its nearest neighbour has w = 1 (d = rho), and the union keeps it at 1
        java.util.Map<Long, Float> w = new java.util.HashMap<>();
        for (int q = 0; q < e.head().length; q++) w.put((long) e.head()[q] * 300 + e.tail()[q], e.weight()[q]);
        for (int i = 0; i < 300; i++) assertEquals(1f, w.get((long) i * 300 + g.neighbor(i, 0)), 1e-6f);
        for (float v : e.weight()) assertTrue(v > 0 && v <= 1);
    }

    @Test
    void pcaFindsTheAxisOfLargestVariance() {
        float[][] x = new float[200][];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < 200; i++) x[i] = new float[] {(float) (5 * r.nextGaussian()), (float) (0.1 * r.nextGaussian()), 3};
        Pca p = Pca.fit(x, 1, 10_000, 1);
        assertEquals(1.0, Math.abs(p.components()[0][0]), 1e-3);
        assertEquals(3.0, p.mean()[2], 1e-6);
    }
}
