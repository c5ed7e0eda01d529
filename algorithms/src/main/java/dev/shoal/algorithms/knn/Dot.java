package dev.shoal.algorithms.knn;

import org.apache.lucene.util.VectorUtil;

/**
 * Dot products of float vectors, the inner loop of every distance in the mining algorithms. With the JDK's
 * vector API present (the JVM started with {@code --add-modules jdk.incubator.vector}, as the services,
 * tests and benchmarks of this project are) it runs on SIMD lanes ({@link SimdDot}); otherwise it falls
 * back to Lucene's scalar {@link VectorUtil#dotProduct}. Both give the same value up to float rounding.
 */
public final class Dot {

    /** True when the SIMD implementation is in use. */
    public static final boolean SIMD = simdAvailable();

    private Dot() {
    }

    /** The dot product of two vectors of the same length. */
    public static float dot(float[] a, float[] b) {
        return SIMD ? SimdDot.dot(a, b) : VectorUtil.dotProduct(a, b);
    }

    /**
     * The cosine of {@code a} and {@code b}, {@code a.b / sqrt(aa * b.b)}, where {@code aa = a.a} is known to the caller
     * (the fixed side of many comparisons: a query, a node being inserted). The SIMD path reads each vector once.
     * A zero vector gives NaN (0/0).
     */
    public static double cosine(float[] a, float aa, float[] b) {
        if (SIMD) {
            return SimdDot.cosine(a, aa, b);
        }
        return VectorUtil.dotProduct(a, b) / Math.sqrt((double) aa * (double) VectorUtil.dotProduct(b, b));
    }

    /**
     * {@link #dot(float[], float[])} of {@code a} and the {@code a.length} floats of {@code b} from {@code bOffset}: for
     * vectors packed one after another in one array.
     */
    public static float dot(float[] a, float[] b, int bOffset) {
        checkRange(a, b, bOffset);
        if (SIMD) {
            return SimdDot.dot(a, b, bOffset);
        }
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[bOffset + i];
        }
        return s;
    }

    /** {@link #cosine(float[], float, float[])} of {@code a} and the {@code a.length} floats of {@code b} from {@code bOffset}. */
    public static double cosine(float[] a, float aa, float[] b, int bOffset) {
        checkRange(a, b, bOffset);
        if (SIMD) {
            return SimdDot.cosine(a, aa, b, bOffset);
        }
        float ab = 0;
        float bb = 0;
        for (int i = 0; i < a.length; i++) {
            float y = b[bOffset + i];
            ab += a[i] * y;
            bb += y * y;
        }
        return ab / Math.sqrt((double) aa * (double) bb);
    }

    private static void checkRange(float[] a, float[] b, int bOffset) {
        if (bOffset < 0 || bOffset > b.length - a.length) {
            throw new IndexOutOfBoundsException("offset " + bOffset + " + length " + a.length + " outside an array of "
                    + b.length);
        }
    }

    private static boolean simdAvailable() {
        if (Boolean.getBoolean("shoal.simd.disabled")) return false;
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return false;
        try {
            float[] probe = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
                    26, 27, 28, 29, 30, 31, 32, 33};
            return SimdDot.dot(probe, probe) == VectorUtil.dotProduct(probe, probe);
        } catch (LinkageError e) {
            return false;
        }
    }
}
