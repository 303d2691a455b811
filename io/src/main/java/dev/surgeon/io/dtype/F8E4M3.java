package dev.surgeon.io.dtype;

/**
 * OCP FP8 E4M3FN as PyTorch's float8_e4m3fn: bias 7, no Inf, NaN = S.1111.111, largest finite
 * 448 (0x7E). Encoding follows PyTorch's non-saturating cast: anything that rounds past 448, and
 * Inf, becomes NaN (sign kept), because the format has nowhere else to put it.
 */
public final class F8E4M3 {
    private F8E4M3() {}

    private static final int MAX_FINITE = 0x7E;
    private static final int NAN = 0x7F;
    private static final float[] TO_FLOAT = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i & 0x7F;
            int e = c >>> 3;
            int m = c & 7;
            float v;
            if (c == NAN) {
                v = Float.NaN;
            } else if (e == 0) {
                v = Math.scalb((float) m, -9);
            } else {
                v = Math.scalb((float) (8 + m), e - 10);
            }
            TO_FLOAT[i] = (i & 0x80) != 0 ? -v : v;
        }
    }

    public static float toFloat(byte bits) {
        return TO_FLOAT[bits & 0xFF];
    }

    /** Float widens to double exactly, so this rounds once. */
    public static byte fromFloat(float f) {
        return fromDouble(f);
    }

    public static byte fromDouble(double d) {
        int sign = MiniFloat.sign(d, 7);
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return (byte) (sign | NAN);
        }
        int code = MiniFloat.roundMagnitude(Math.abs(d), 3, 7);
        return (byte) (sign | (code > MAX_FINITE ? NAN : code));
    }
}
