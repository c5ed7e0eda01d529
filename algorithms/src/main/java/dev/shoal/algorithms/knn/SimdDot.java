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
        int n = a.length;
        int i = 0;
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = FloatVector.zero(SPECIES);
        FloatVector acc2 = FloatVector.zero(SPECIES);
        FloatVector acc3 = FloatVector.zero(SPECIES);
        int bound4 = n - n % (4 * LANES);
        for (; i < bound4; i += 4 * LANES) {
            acc0 = FloatVector.fromArray(SPECIES, a, i).fma(FloatVector.fromArray(SPECIES, b, i), acc0);
            acc1 = FloatVector.fromArray(SPECIES, a, i + LANES).fma(FloatVector.fromArray(SPECIES, b, i + LANES), acc1);
            acc2 = FloatVector.fromArray(SPECIES, a, i + 2 * LANES).fma(FloatVector.fromArray(SPECIES, b, i + 2 * LANES), acc2);
            acc3 = FloatVector.fromArray(SPECIES, a, i + 3 * LANES).fma(FloatVector.fromArray(SPECIES, b, i + 3 * LANES), acc3);
        }
        int bound = n - n % LANES;
        for (; i < bound; i += LANES) {
            acc0 = FloatVector.fromArray(SPECIES, a, i).fma(FloatVector.fromArray(SPECIES, b, i), acc0);
        }
        float s = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
