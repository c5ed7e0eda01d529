package dev.shoal.algorithms.duplicates;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.algorithms.knn.KnnGraph;
import dev.shoal.algorithms.testing.Blobs;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NearDuplicatesTest {

    @Test
    void groupsFollowChainsOfQualifyingEdgesOnly() {
        // 0-1 at distance 0.01 (sim 0.99), 1-2 at 0.02, 3-4 at 0.5 (sim 0.5: not a duplicate)
        KnnGraph g = KnnGraph.of(5, 1, new int[] {1, 0, 1, 4, 3}, new float[] {0.01f, 0.01f, 0.02f, 0.5f, 0.5f});
        List<NearDuplicates.Group> groups = NearDuplicates.groups(g, 0.95);
        assertEquals(1, groups.size());
        assertArrayEquals(new int[] {0, 1, 2}, groups.get(0).members());
        assertEquals(0.98, groups.get(0).minSimilarity(), 1e-6);
    }

    @Test
    void plantedDuplicatesAreFoundAndCrossSplitOnesReportedAsLeakage() {
        int n = 4000;
        Blobs b = Blobs.generate(n, 64, 20, 0.5, 31);
        Random r = new Random(5);
        String[] split = new String[n];
        for (int i = 0; i < n; i++) split[i] = i % 5 == 0 ? "test" : "train";
        // 30 pairs spread over the set: node c becomes a jittered copy of node a
        int[][] pairs = new int[30][2];
        for (int q = 0; q < 30; q++) {
            int a = q * 100;
            int c = a + 1 + (q % 2 == 0 ? 4 : 1); // even q: a and a+5 (both "test"), odd q: a and a+2 (test/train)
            for (int d = 0; d < 64; d++) b.x[c][d] = b.x[a][d] + (float) (0.001 * r.nextGaussian());
            pairs[q] = new int[] {a, c};
        }
        // one big group of 25 near-copies, larger than the graph's k
        for (int q = 1; q < 25; q++) {
            for (int d = 0; d < 64; d++) b.x[3500 + q][d] = b.x[3500][d] + (float) (0.001 * r.nextGaussian());
        }
        KnnGraph g = KnnGraph.build(b.x, 10);
        List<NearDuplicates.Group> groups = NearDuplicates.groups(g, 0.999);
        assertEquals(31, groups.size());
        assertEquals(25, groups.get(0).size());
        for (int[] p : pairs) {
            assertTrue(groups.stream().anyMatch(gr -> gr.size() == 2 && gr.members()[0] == p[0] && gr.members()[1] == p[1]));
        }
        List<NearDuplicates.LeakingGroup> leaks = NearDuplicates.crossSplit(groups, split);
        // pairs (a, a+5) with a = q*100 are train/test only when a % 5 == 0 (always) and a+5 % 5 == 0 (always):
        // both "test"; pairs (a, a+2) are test/train -> leakage; the big group 3500..3524 spans both splits.
        long expected = 1 + java.util.stream.IntStream.range(0, 30).filter(q -> q % 2 == 1).count();
        assertEquals(expected, leaks.size());
        assertTrue(leaks.stream().allMatch(l -> l.membersBySplit().size() == 2));
    }
}
