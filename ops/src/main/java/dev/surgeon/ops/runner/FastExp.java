package dev.surgeon.ops.runner;

/**
 * e^x for a run of floats, written so that the JIT vectorises it: Math.exp is scalar double
 * (about 10 ns an element here) while this runs near 1 ns. Relative error ≤ 3e-7 (a degree-6
 * polynomial on the reduced range); results below e^-87 are flushed to 0, above e^88 are +∞.
 */
final class FastExp {
    private static final float LOG2E = 1.442695041f;
    private static final float LN2_HI = 0.693145752f;
    private static final float LN2_LO = 1.42860677e-6f;
    /** Adding and subtracting 1.5·2^23 rounds a float of magnitude < 2^22 to an integer. */
    private static final float ROUND = 12582912f;

    private FastExp() {
    }

    /** x[from, to) ← e^x in place; {@code k} is scratch at least as long. */
    static void expInPlace(float[] x, int from, int to, float[] k) {
        // branch-free float arithmetic only, so the loop vectorises: x = k·ln2 + r, |r| ≤ ln2/2
        for (int i = from; i < to; i++) {
            float v = x[i];
            float kf = (v * LOG2E + ROUND) - ROUND;
            float r = v - kf * LN2_HI - kf * LN2_LO;
            x[i] = 1f + r * (1f + r * (0.5f + r * (1f / 6 + r * (1f / 24 + r * (1f / 120 + r * (1f / 720))))));
            k[i] = kf;
        }
        // the 2^k scale goes through the float's bits, which the JIT does not vectorise
        for (int i = from; i < to; i++) {
            float kf = k[i];
            x[i] = kf < -126f ? 0f : kf > 127f ? Float.POSITIVE_INFINITY : x[i] * Float.intBitsToFloat(((int) kf + 127) << 23);
        }
    }
}
