package dev.shoal.mining;

import dev.shoal.algorithms.knn.KnnGraph;
import dev.shoal.mining.service.VectorSet;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VectorSetTest {

    @Test
    void aGraphWithLargerKServesASmallerKWithItsNearestColumnsWithoutABuild() {
        // 4 points on a line: neighbours by distance are unambiguous
        int n = 4;
        int[] nb = {1, 2, 3, 0, 2, 3, 1, 3, 0, 2, 1, 0};
        float[] d = {0.1f, 0.2f, 0.3f, 0.1f, 0.11f, 0.21f, 0.11f, 0.12f, 0.2f, 0.12f, 0.21f, 0.3f};
        KnnGraph k3 = KnnGraph.of(n, 3, nb, d);
        int[] builds = {0};
        VectorSet set = new VectorSet(new VectorSet.Key("ds", "m", "1", "4:4:10"), java.util.List.of("a", "b", "c", "d"),
                new float[n][2]);
        VectorSet.GraphUse first = set.graph(3, (v, k) -> {
            builds[0]++;
            return k3;
        });
        assertTrue(first.built());
        assertSame(k3, first.graph());

        VectorSet.GraphUse two = set.graph(2, (v, k) -> {
            throw new AssertionError("k=2 must come from the k=3 graph");
        });
        assertFalse(two.built());
        assertEquals(2, two.graph().k());
        for (int i = 0; i < n; i++) {
            assertArrayEquals(new int[] {nb[3 * i], nb[3 * i + 1]}, two.graph().neighbors(i));
            assertArrayEquals(new float[] {d[3 * i], d[3 * i + 1]}, two.graph().distances(i));
        }
        assertSame(k3, set.graph(3, (v, k) -> {
            throw new AssertionError("k=3 is held");
        }).graph());
        assertEquals(1, builds[0]);
    }
}
