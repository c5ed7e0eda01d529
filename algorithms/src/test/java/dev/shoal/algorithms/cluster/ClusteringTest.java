package dev.shoal.algorithms.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.algorithms.knn.KnnGraph;
import dev.shoal.algorithms.testing.Blobs;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClusteringTest {

    /** Each found cluster holds one blob only, and each blob maps to one cluster (noise aside). */
    static void assertRecoversBlobs(int[] found, int[] blob, int blobs, double minCoverage) {
        Map<Integer, Integer> clusterToBlob = new HashMap<>();
        Map<Integer, Integer> blobToCluster = new HashMap<>();
        int covered = 0;
        for (int i = 0; i < found.length; i++) {
            if (found[i] < 0) continue;
            covered++;
            Integer b = clusterToBlob.putIfAbsent(found[i], blob[i]);
            assertTrue(b == null || b == blob[i], "cluster " + found[i] + " mixes blobs");
            Integer c = blobToCluster.putIfAbsent(blob[i], found[i]);
            assertTrue(c == null || c == found[i], "blob " + blob[i] + " split");
        }
        assertEquals(blobs, clusterToBlob.size());
        assertTrue(covered >= minCoverage * found.length, "coverage " + covered);
    }

    @Test
    void kMeansPlusPlusLloydRecoversWellSeparatedBlobs() {
        Blobs b = Blobs.generate(1200, 16, 6, 0.1, 3);
        KMeans.Result r = KMeans.fit(b.x, KMeans.Options.defaults(6, 1200));
        assertRecoversBlobs(r.assignment(), b.blob, 6, 1.0);
    }

    @Test
    void miniBatchKMeansRecoversWellSeparatedBlobs() {
        Blobs b = Blobs.generate(5000, 16, 5, 0.1, 4);
        KMeans.Result r = KMeans.fit(b.x, new KMeans.Options(5, 200, 256, 0, 2000, 9));
        assertRecoversBlobs(r.assignment(), b.blob, 5, 1.0);
    }

    @Test
    void lloydConvergesToTheHandComputedCentroidsOfTwoPairs() {
        float[][] x = {{0, 0}, {0, 2}, {10, 0}, {10, 2}};
        KMeans.Result r = KMeans.fit(x, KMeans.Options.defaults(2, 4));
        assertEquals(r.assignment()[0], r.assignment()[1]);
        assertEquals(r.assignment()[2], r.assignment()[3]);
        float[] c = r.centroids()[r.assignment()[0]];
        assertArrayEquals(new float[] {0, 1}, c, 1e-6f);
        assertEquals(4.0, r.inertia(), 1e-9); // four points at distance 1 from their centroid
    }

    @Test
    void hdbscanFindsWellSeparatedBlobsAndScatteredPointsAreNoiseOrWeakMembers() {
        Blobs b = Blobs.generate(2000, 16, 5, 0.05, 5);
        Random r = new Random(8);
        int[] truth = b.blob.clone();
        for (int i = 0; i < 40; i++) { // 2% background noise far from the blobs
            int j = i * 50;
            for (int d = 0; d < 16; d++) b.x[j][d] = (float) (3 * r.nextGaussian());
            truth[j] = -1;
        }
        KnnGraph g = KnnGraph.build(b.x, 15);
        Hdbscan.Result res = Hdbscan.fit(g, new Hdbscan.Options(25, 10));
        assertEquals(5, res.numClusters());
        int[] found = res.labels().clone();
        for (int i = 0; i < found.length; i++) {
            if (truth[i] < 0) {
                // as in HDBSCAN*, a scattered point is noise or falls out of a cluster early: low membership
                assertTrue(found[i] < 0 || res.probability()[i] < 0.2, "scattered point " + i);
                found[i] = -1;
            }
        }
        assertRecoversBlobs(found, truth, 5, 0.9);
    }

    @Test
    void hdbscanCondensedTreeOfAHandBuiltHierarchy() {
        // points 0..5; single-linkage: (0,1)@1, (2,3)@1, (6,7)@2 -> {0,1,2,3}; (4,5)@1; (8,9)@10 -> root
        int n = 6;
        int[] left = {0, 2, 6, 4, 8};
        int[] right = {1, 3, 7, 5, 9};
        double[] dist = {1, 1, 2, 1, 10};
        int[] size = {1, 1, 1, 1, 1, 1, 2, 2, 4, 2, 6};
        Hdbscan.Result r = Hdbscan.condenseAndSelect(n, left, right, dist, size, 2);
        // root splits at lambda 0.1 into A={0,1,2,3} and B={4,5}; A splits at 0.5 into {0,1},{2,3}, each dying at 1.
        // stability(A) = 4 * (0.5 - 0.1) = 1.6; children 2 * (1 - 0.5) each = 2.0 > 1.6 -> children chosen.
        // stability(B) = 2 * (1 - 0.1) = 1.8.
        assertEquals(3, r.numClusters());
        assertEquals(r.labels()[0], r.labels()[1]);
        assertEquals(r.labels()[2], r.labels()[3]);
        assertEquals(r.labels()[4], r.labels()[5]);
        assertTrue(r.labels()[0] != r.labels()[2] && r.labels()[2] != r.labels()[4]);
        double[] st = r.stability().clone();
        java.util.Arrays.sort(st);
        assertArrayEquals(new double[] {1.0, 1.0, 1.8}, st, 1e-9);
    }

    @Test
    void fisherTailAndBenjaminiHochbergMatchHandValues() {
        // all 3 errors of 10 land in a group of 3: C(3,3) C(7,0) / C(10,3) = 1/120
        assertEquals(1.0 / 120, FailureSliceReport.fisherUpperTail(10, 3, 3, 3), 1e-12);
        assertArrayEquals(new double[] {0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5},
                FailureSliceReport.benjaminiHochberg(new double[] {0.01, 0.04, 0.03, 0.5}), 1e-12);
    }

    @Test
    void aPlantedFailureSliceIsTheTopClusterOfTheReport() {
        int n = 4000;
        Blobs b = Blobs.generate(n, 24, 10, 0.15, 12);
        int[] label = new int[n];
        boolean[] error = new boolean[n];
        Random r = new Random(1);
        for (int i = 0; i < n; i++) {
            label[i] = b.blob[i] % 4;
            // the model fails on 60% of blob 7 ("green cones") and on 8% elsewhere
            error[i] = r.nextDouble() < (b.blob[i] == 7 ? 0.6 : 0.08);
        }
        KnnGraph g = KnnGraph.build(b.x, 15);
        int[] hdb = Hdbscan.fit(g, new Hdbscan.Options(30, 10)).labels();
        int[] km = KMeans.fit(b.x, KMeans.Options.defaults(10, n)).assignment();
        for (int[] clusters : new int[][] {hdb, km}) {
            FailureSliceReport.Report rep = FailureSliceReport.byCluster(clusters, error, label, 4,
                    FailureSliceReport.Options.defaults());
            FailureSliceReport.Slice top = rep.slices().get(0);
            assertTrue(top.significant());
            assertTrue(top.lift() > 4, "lift " + top.lift()); // 0.6 / (0.1 * 0.6 + 0.9 * 0.08) = 4.5
            int cluster = Integer.parseInt(top.key());
            int inBlob7 = 0;
            int size = 0;
            for (int i = 0; i < n; i++) {
                if (clusters[i] == cluster) {
                    size++;
                    if (b.blob[i] == 7) inBlob7++;
                }
            }
            assertTrue(inBlob7 > 0.95 * size);
            assertEquals(400, top.classCounts()[3], 20); // blob 7 -> class 3
            assertTrue(rep.slices().stream().skip(1).noneMatch(FailureSliceReport.Slice::significant));
        }
    }

    @Test
    void metadataSlicesReportTheFailingCamera() {
        int n = 2000;
        String[] camera = new String[n];
        boolean[] error = new boolean[n];
        Random r = new Random(2);
        for (int i = 0; i < n; i++) {
            camera[i] = "cam-" + (i % 4);
            error[i] = r.nextDouble() < (i % 4 == 2 ? 0.3 : 0.05);
        }
        FailureSliceReport.Report rep = FailureSliceReport.byMetadata(camera, error, null, 0, FailureSliceReport.Options.defaults());
        assertEquals("cam-2", rep.slices().get(0).key());
        assertTrue(rep.slices().get(0).qValue() < 1e-10);
        assertEquals(500, rep.slices().get(0).size());
    }
}
