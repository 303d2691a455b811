package dev.surgeon.io.dtype;

/**
 * bfloat16: the top half of an IEEE binary32. Decoding is a shift; encoding rounds to nearest
 * even on the bits, which also rounds F32 subnormals and overflow (to Inf) correctly because BF16
 * shares F32's exponent range.
 */
public final class Bf16 {
    private Bf16() {}

    public static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    public static short fromFloat(float f) {
        return fromFloatBits(Float.floatToRawIntBits(f));
    }

    /** Same as {@link #fromFloat} on raw F32 bits; the bulk loop calls this without boxing. */
    static short fromFloatBits(int x) {
        if ((x & 0x7FFFFFFF) > 0x7F800000) {
            // NaN: keep sign and top payload bits, force the quiet bit so a payload held only in
            // the dropped low bits cannot turn into Inf.
            return (short) ((x >>> 16) | 0x0040);
        }
        // Add just under half an ulp, plus one when the kept lsb is odd: ties go to even.
        // A carry out of the mantissa bumps the exponent, and past the largest finite gives Inf.
        return (short) ((x + 0x7FFF + ((x >>> 16) & 1)) >>> 16);
    }

    /** Rounds the double straight to BF16 (no detour through float, so no double rounding). */
    public static short fromDouble(double d) {
        if (Double.isNaN(d)) {
            return fromFloat((float) d);
        }
        int sign = MiniFloat.sign(d, 15);
        if (Double.isInfinite(d)) {
            return (short) (sign | 0x7F80);
        }
        int code = MiniFloat.roundMagnitude(Math.abs(d), 7, 127);
        return (short) (sign | Math.min(code, 0x7F80));
    }
}
