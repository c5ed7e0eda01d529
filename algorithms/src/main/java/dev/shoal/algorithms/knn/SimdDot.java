package dev.shoal.algorithms.knn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link Dot} on the JDK's vector API: four independent fused multiply-add accumulators. Load via {@link Dot}. */
final class SimdDot {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    private SimdDot() {
    }

    static float dot(float[] a, float[] b) {
        return dot(a, b, 0);
    }

    /** a . b[bOffset .. bOffset + a.length). */
    static float dot(float[] a, float[] b, int bOffset) {
        int n = a.length;
        int i = 0;
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = FloatVector.zero(SPECIES);
        FloatVector acc2 = FloatVector.zero(SPECIES);
        FloatVector acc3 = FloatVector.zero(SPECIES);
        int bound4 = n - n % (4 * LANES);
        for (; i < bound4; i += 4 * LANES) {
            acc0 = FloatVector.fromArray(SPECIES, a, i).fma(FloatVector.fromArray(SPECIES, b, bOffset + i), acc0);
            acc1 = FloatVector.fromArray(SPECIES, a, i + LANES).fma(FloatVector.fromArray(SPECIES, b, bOffset + i + LANES), acc1);
            acc2 = FloatVector.fromArray(SPECIES, a, i + 2 * LANES).fma(FloatVector.fromArray(SPECIES, b, bOffset + i + 2 * LANES), acc2);
            acc3 = FloatVector.fromArray(SPECIES, a, i + 3 * LANES).fma(FloatVector.fromArray(SPECIES, b, bOffset + i + 3 * LANES), acc3);
        }
        int bound = n - n % LANES;
        for (; i < bound; i += LANES) {
            acc0 = FloatVector.fromArray(SPECIES, a, i).fma(FloatVector.fromArray(SPECIES, b, bOffset + i), acc0);
        }
        float s = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += a[i] * b[bOffset + i];
        }
        return s;
    }

    /**
     * {@code a.b / sqrt(aa * b.b)} with {@code aa = a.a} given by the caller: {@code a} and {@code b} are read once,
     * the two sums run side by side (two accumulators each) instead of two passes over {@code b}.
     */
    static double cosine(float[] a, float aa, float[] b) {
        return cosine(a, aa, b, 0);
    }

    /** {@link #cosine(float[], float, float[])} of {@code a} and b[bOffset .. bOffset + a.length). */
    static double cosine(float[] a, float aa, float[] b, int bOffset) {
        int n = a.length;
        int i = 0;
        FloatVector ab0 = FloatVector.zero(SPECIES);
        FloatVector ab1 = FloatVector.zero(SPECIES);
        FloatVector bb0 = FloatVector.zero(SPECIES);
        FloatVector bb1 = FloatVector.zero(SPECIES);
        int bound2 = n - n % (2 * LANES);
        for (; i < bound2; i += 2 * LANES) {
            FloatVector x0 = FloatVector.fromArray(SPECIES, a, i);
            FloatVector y0 = FloatVector.fromArray(SPECIES, b, bOffset + i);
            FloatVector x1 = FloatVector.fromArray(SPECIES, a, i + LANES);
            FloatVector y1 = FloatVector.fromArray(SPECIES, b, bOffset + i + LANES);
            ab0 = x0.fma(y0, ab0);
            bb0 = y0.fma(y0, bb0);
            ab1 = x1.fma(y1, ab1);
            bb1 = y1.fma(y1, bb1);
        }
        int bound = n - n % LANES;
        for (; i < bound; i += LANES) {
            FloatVector x = FloatVector.fromArray(SPECIES, a, i);
            FloatVector y = FloatVector.fromArray(SPECIES, b, bOffset + i);
            ab0 = x.fma(y, ab0);
            bb0 = y.fma(y, bb0);
        }
        float ab = ab0.add(ab1).reduceLanes(VectorOperators.ADD);
        float bb = bb0.add(bb1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            ab += a[i] * b[bOffset + i];
            bb += b[bOffset + i] * b[bOffset + i];
        }
        return ab / Math.sqrt((double) aa * (double) bb);
    }
}
