package dev.surgeon.io.dtype;

/**
 * FP8 E5M2: bias 15, IEEE-like with Inf (0x7C) and NaN, largest finite 57344 (0x7B). It is the
 * top byte of an F16, which gives the decode for free; encoding rounds once from the exact value
 * (truncating an F16 would round twice). Overflow goes to Inf and NaN to 0x7F, as PyTorch does.
 */
public final class F8E5M2 {
    private F8E5M2() {}

    private static final int INF = 0x7C;
    private static final int NAN = 0x7F;

    public static float toFloat(byte bits) {
        return F16.toFloat((short) (bits << 8));
    }

    /** Float widens to double exactly, so this rounds once. */
    public static byte fromFloat(float f) {
        return fromDouble(f);
    }

    public static byte fromDouble(double d) {
        int sign = MiniFloat.sign(d, 7);
        if (Double.isNaN(d)) {
            return (byte) (sign | NAN);
        }
        if (Double.isInfinite(d)) {
            return (byte) (sign | INF);
        }
        int code = MiniFloat.roundMagnitude(Math.abs(d), 2, 15);
        return (byte) (sign | Math.min(code, INF));
    }
}
