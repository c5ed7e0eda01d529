package dev.shoal.algorithms.projection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FastPowTest {

    @Test
    void exactPowersOfTwoComeOutExactlyOrNearly() {
        assertEquals(3f, FastPow.log2(8f), 1e-5f);
        assertEquals(-10f, FastPow.log2(1f / 1024), 1e-5f);
        assertEquals(0f, FastPow.log2(1f), 0f);
        assertEquals(0.5f, FastPow.exp2(-1f), 1e-6f);
        assertEquals(1024f, FastPow.exp2(10f), 1e-3f);
        assertEquals(4f, FastPow.pow(16f, 0.5f), 1e-4f);
    }

    @Test
    void relativeErrorAgainstMathPowStaysBelowOneInTenThousandOverUmapsRange() {
        // squared 2-D distances from 1e-30 to 1e30, with umap-learn's default b, b − 1 and other spreads
        float[] exponents = {0.8950609f, -0.1049391f, 0.5f, 1.5f, 0.79f};
        double worst = 0;
        for (float b : exponents) {
            for (double lx = -30; lx <= 30; lx += 0.0137) {
                float x = (float) Math.pow(10, lx);
                double exact = Math.pow(x, b);
                if (exact > 1e37 || exact < 1e-37) continue; // not a normal float result
                double rel = Math.abs(FastPow.pow(x, b) - exact) / exact;
                worst = Math.max(worst, rel);
            }
        }
        assertTrue(worst < 1e-4, "worst relative error " + worst);
    }

    @Test
    void exponentsBeyondTheFloatRangeClampInsteadOfWrapping() {
        assertTrue(FastPow.exp2(500f) > 1e38f);
        assertTrue(FastPow.exp2(-500f) > 0f && FastPow.exp2(-500f) < 1e-37f);
    }
}
