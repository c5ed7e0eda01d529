package dev.shoal.algorithms.projection;

/**
 * {@code x^b} for positive floats as {@code 2^(b·log2 x)}, with both halves by polynomials on the float's
 * mantissa and exponent bits (the usual range reduction of libm, e.g. Muller, "Elementary Functions",
 * 3rd ed., ch. 11; coefficients are least-squares fits over [0, 1]). Relative error below 1e-4 against
 * {@link Math#pow} for the arguments UMAP's gradient uses (squared 2-D distances from 1e-30 to 1e30, exponents
 * b and b − 1 with b around 0.5–1.5; checked by FastPowTest). Its own speed against {@link Math#pow} was not
 * measured alone: with one power per positive sample, multiply-shift draws and it, UMAP's SGD took about 23%
 * less CPU at 1M (docs/benchmarks/mining.md). Stochastic gradients do not need more precision than this.
 */
final class FastPow {

    private FastPow() {
    }

    /** x^b for x &gt; 0 (finite, normal); x ≤ 0 is the caller's case to handle. */
    static float pow(float x, float b) {
        return exp2(b * log2(x));
    }

    /** log2 x for a positive normal float: exponent bits plus log2 of the mantissa m in [1, 2). */
    static float log2(float x) {
        int bits = Float.floatToRawIntBits(x);
        int e = ((bits >>> 23) & 0xFF) - 127;
        float t = Float.intBitsToFloat((bits & 0x007F_FFFF) | 0x3F80_0000) - 1f; // m − 1 in [0, 1)
        // log2(1 + t) ≈ t·q(t), q of degree 5: max abs error 4.4e-6 on [0, 1]
        float q = -0.0260673182f;
        q = q * t + 0.121916877f;
        q = q * t - 0.277367788f;
        q = q * t + 0.456895418f;
        q = q * t - 0.71789863f;
        q = q * t + 1.44251705f;
        return e + t * q;
    }

    /** 2^y, y clamped to the normal float range: 2^floor(y) from the exponent bits times 2^frac(y). */
    static float exp2(float y) {
        if (y < -126f) y = -126f;
        if (y > 127f) y = 127f;
        int i = (int) Math.floor(y);
        float f = y - i;
        // 2^f on [0, 1), degree 5: max relative error 2.3e-7
        float p = 0.00189437864f;
        p = p * f + 0.00894057778f;
        p = p * f + 0.0558765685f;
        p = p * f + 0.240131684f;
        p = p * f + 0.693156779f;
        p = p * f + 0.999999769f;
        return Float.intBitsToFloat((i + 127) << 23) * p;
    }
}
