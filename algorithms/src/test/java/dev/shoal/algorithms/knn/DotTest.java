package dev.shoal.algorithms.knn;

import org.apache.lucene.util.VectorUtil;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DotTest {

    @Test
    void dotAndCosineAgreeWithLucenesScalarArithmeticForEveryLengthUpTo100() {
        Random random = new Random(42);
        for (int n = 1; n <= 100; n++) {
            float[] a = new float[n];
            float[] b = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = (float) random.nextGaussian();
                b[i] = (float) random.nextGaussian();
            }
            float dot = VectorUtil.dotProduct(a, b);
            assertEquals(dot, Dot.dot(a, b), 1e-4 * n, "dot, n=" + n);
            float aa = VectorUtil.dotProduct(a, a);
            double expected = dot / Math.sqrt((double) aa * VectorUtil.dotProduct(b, b));
            assertEquals(expected, Dot.cosine(a, aa, b), 1e-5, "cosine, n=" + n);
        }
    }

    @Test
    void packedVariantsScoreEachVectorOfAPackedArrayAsTheVectorAlone() {
        Random random = new Random(5);
        for (int n : new int[]{1, 7, 8, 33, 384, 385}) {
            int count = 5;
            float[] packed = new float[n * count + 3];
            float[][] alone = new float[count][n];
            for (int v = 0; v < count; v++) {
                for (int i = 0; i < n; i++) {
                    alone[v][i] = (float) random.nextGaussian();
                    packed[3 + v * n + i] = alone[v][i];
                }
            }
            float[] q = alone[0].clone();
            float qq = Dot.dot(q, q);
            for (int v = 0; v < count; v++) {
                assertEquals(Dot.dot(q, alone[v]), Dot.dot(q, packed, 3 + v * n), 1e-4 * n, "dot, n=" + n + " v=" + v);
                assertEquals(Dot.cosine(q, qq, alone[v]), Dot.cosine(q, qq, packed, 3 + v * n), 1e-6, "cosine, n=" + n);
            }
            int last = packed.length - n + 1;
            assertThrows(IndexOutOfBoundsException.class, () -> Dot.dot(q, packed, last), "past the end");
            assertThrows(IndexOutOfBoundsException.class, () -> Dot.cosine(q, qq, packed, -1), "negative offset");
        }
    }

    @Test
    void cosineHasItsKnownValuesOnHandPickedVectors() {
        float[] x = {1, 0, 0};
        assertEquals(1.0, Dot.cosine(x, 1f, new float[]{3, 0, 0}), 1e-12, "same direction");
        assertEquals(-1.0, Dot.cosine(x, 1f, new float[]{-2, 0, 0}), 1e-12, "opposite");
        assertEquals(0.0, Dot.cosine(x, 1f, new float[]{0, 5, 0}), 1e-12, "orthogonal");
        float[] u = {1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        float[] v = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        assertEquals(Math.sqrt(0.5), Dot.cosine(u, 2f, v), 1e-7, "45 degrees across the SIMD tail");
        assertTrue(Double.isNaN(Dot.cosine(x, 1f, new float[3])), "a zero vector gives 0/0");
    }
}
