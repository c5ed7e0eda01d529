package dev.shoal.algorithms.duplicates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.algorithms.knn.KnnGraph;
import dev.shoal.algorithms.testing.Blobs;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NearDuplicatesTest {

    @Test
    void aChainOfCloseNeighboursDoesNotJoinItsFarApartEnds() {
        // 20 points on an arc, each at cosine 0.985 from the next (9.9 degrees): the ends are 188 degrees apart.
        // Single link at 0.98 put all 20 in one group; with the representative bound (11.5 degrees) a group holds a
        // representative and at most its two arc neighbours.
        int n = 20;
        double step = Math.acos(0.985);
        float[][] x = new float[n][];
        for (int i = 0; i < n; i++) {
            x[i] = new float[] {(float) Math.cos(i * step), (float) Math.sin(i * step), 0f};
        }
        KnnGraph g = KnnGraph.build(x, 4);
        List<NearDuplicates.Group> groups = NearDuplicates.groups(g, x, 0.98);
        assertTrue(!groups.isEmpty());
        for (NearDuplicates.Group gr : groups) {
            assertTrue(gr.size() <= 3, "group of " + gr.size());
            for (int m : gr.members()) {
                assertTrue(1 - KnnGraph.cosineDistance(x[m], x[gr.representative()]) >= 0.98 - 1e-6);
            }
            assertTrue(gr.minSimilarity() >= 0.98 - 1e-6);
            assertTrue(gr.members()[gr.size() - 1] - gr.members()[0] <= 2);
        }
        // every group is disjoint from the others
        Set<Integer> seen = new HashSet<>();
        groups.forEach(gr -> java.util.Arrays.stream(gr.members()).forEach(m -> assertTrue(seen.add(m))));
        // the adaptive threshold: every neighbour is at 0.985, so nothing is much closer than usual: no group at all
        NearDuplicates.Threshold t = NearDuplicates.threshold(g, 0.98, 0.25);
        assertEquals("adaptive", t.source());
        assertEquals(0.985, t.medianNeighbourSimilarity(), 1e-5);
        assertEquals(1 - 0.25 * 0.015, t.similarity(), 1e-5);
        assertEquals(0, NearDuplicates.groups(g, x, t.similarity()).size());
    }

    @Test
    void aDenseClusterWithoutCopiesGivesNoGiantGroup() {
        // 3000 points around one centre: every pair is above cosine 0.98 (as a 64-d model's features of one data set
        // can be), but no point is a copy of another
        Random r = new Random(7);
        int n = 3000;
        int dim = 64;
        float[] centre = new float[dim];
        for (int d = 0; d < dim; d++) centre[d] = (float) r.nextGaussian();
        float[][] x = new float[n][dim];
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < dim; d++) x[i][d] = centre[d] + (float) (0.1 * r.nextGaussian());
        }
        KnnGraph g = KnnGraph.build(x, 10);
        assertTrue(1 - g.distance(0, g.k() - 1) > 0.98);
        NearDuplicates.Threshold t = NearDuplicates.threshold(g, 0.98, 0.25);
        assertEquals("adaptive", t.source());
        assertTrue(t.medianNeighbourSimilarity() > 0.98);
        List<NearDuplicates.Group> groups = NearDuplicates.groups(g, x, t.similarity());
        int largest = groups.isEmpty() ? 0 : groups.get(0).size();
        assertTrue(largest <= 3, "largest group " + largest + " at threshold " + t);
        // at the floor alone a representative still bounds each group: no chain through the whole cluster
        for (NearDuplicates.Group gr : NearDuplicates.groups(g, x, 0.98)) {
            assertTrue(gr.minSimilarity() >= 0.98 - 1e-6);
        }
    }

    @Test
    void plantedCopiesAreFoundExactlyAndCrossSplitOnesReportedAsLeakage() {
        int n = 4000;
        Blobs b = Blobs.generate(n, 64, 20, 0.5, 31);
        Random r = new Random(5);
        String[] split = new String[n];
        for (int i = 0; i < n; i++) split[i] = i % 5 == 0 ? "test" : "train";
        // 30 pairs spread over the set: node c becomes a copy of node a (exact for q % 3 == 0, else jittered)
        Set<Long> planted = new HashSet<>();
        for (int q = 0; q < 30; q++) {
            int a = q * 100;
            int c = a + 1 + (q % 2 == 0 ? 4 : 1); // even q: a and a+5 (both "test"), odd q: a and a+2 (test/train)
            double jitter = q % 3 == 0 ? 0 : 0.01;
            for (int d = 0; d < 64; d++) b.x[c][d] = b.x[a][d] + (float) (jitter * r.nextGaussian());
            planted.add(pair(a, c));
        }
        // one group of 25 near-copies, larger than the graph's k
        for (int q = 1; q < 25; q++) {
            for (int d = 0; d < 64; d++) b.x[3500 + q][d] = b.x[3500][d] + (float) (0.001 * r.nextGaussian());
        }
        for (int p = 3500; p < 3525; p++) {
            for (int q = p + 1; q < 3525; q++) planted.add(pair(p, q));
        }
        KnnGraph g = KnnGraph.build(b.x, 10);
        NearDuplicates.Threshold t = NearDuplicates.threshold(g, 0.98, 0.25);
        List<NearDuplicates.Group> groups = NearDuplicates.groups(g, b.x, t.similarity());
        Set<Long> found = new HashSet<>();
        for (NearDuplicates.Group gr : groups) {
            int[] m = gr.members();
            for (int i = 0; i < m.length; i++) for (int j = i + 1; j < m.length; j++) found.add(pair(m[i], m[j]));
        }
        assertEquals(planted, found); // precision and recall 1.0 over pairs
        assertEquals(31, groups.size());
        assertEquals(25, groups.get(0).size());

        List<NearDuplicates.LeakingGroup> leaks = NearDuplicates.crossSplit(groups, split);
        // pairs (a, a+5) are both "test"; pairs (a, a+2) are test/train; the big group 3500..3524 spans both splits
        assertEquals(1 + 15, leaks.size());
        assertTrue(leaks.stream().allMatch(l -> l.membersBySplit().size() == 2));
    }

    private static long pair(int a, int b) {
        return ((long) Math.min(a, b) << 32) | Math.max(a, b);
    }
}
