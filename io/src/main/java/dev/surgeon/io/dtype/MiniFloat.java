package dev.surgeon.io.dtype;

/**
 * Exact round-to-nearest-even of a double onto a narrow binary float format (BF16, F16, FP8).
 * Rounding straight from the double avoids the double rounding a detour through float would add;
 * the hot float paths use bit tricks instead and the tests hold the two to the same answers.
 */
final class MiniFloat {
    private MiniFloat() {}

    /**
     * The magnitude code (biased exponent and mantissa, no sign) nearest to {@code a}, ties to
     * even. {@code a} must be finite and non-negative. The result may exceed the format's largest
     * finite code: callers map that to Inf or NaN as the format says.
     */
    static int roundMagnitude(double a, int mantissaBits, int bias) {
        int minExp = 1 - bias;
        int e = Math.max(Math.getExponent(a), minExp);
        // Scaling by a power of two is exact here: the result is at most 2^(mantissaBits+1),
        // and when a is tiny any bits scalb might drop lie far below the rounding point.
        double scaled = Math.scalb(a, mantissaBits - e);
        int r = (int) Math.rint(scaled);
        // A carry out of the mantissa (r == 2^(mantissaBits+1)) lands on the next exponent.
        return ((e - minExp) << mantissaBits) + r;
    }

    /** Sign bit of a double moved to bit {@code signBit} of the target code. */
    static int sign(double d, int signBit) {
        return (int) (Double.doubleToRawLongBits(d) >>> 63) << signBit;
    }
}
