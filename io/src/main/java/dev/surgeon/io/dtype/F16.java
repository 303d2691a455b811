package dev.surgeon.io.dtype;

/**
 * IEEE binary16 (Java 17 has no Float.float16ToFloat). Decoding goes through a 64K table because
 * bulk F16 reads are hot; encoding rounds to nearest even, with F16 subnormals, overflow to Inf
 * from 65520 up, and NaN kept NaN.
 */
public final class F16 {
    private F16() {}

    private static final float[] TO_FLOAT = new float[1 << 16];

    static {
        for (int i = 0; i < TO_FLOAT.length; i++) {
            TO_FLOAT[i] = compute(i);
        }
    }

    public static float toFloat(short bits) {
        return TO_FLOAT[bits & 0xFFFF];
    }

    private static float compute(int h) {
        int sign = (h & 0x8000) << 16;
        int e = (h >>> 10) & 0x1F;
        int m = h & 0x3FF;
        if (e == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (m << 13));
        }
        if (e == 0) {
            // Subnormal (or zero): m * 2^-24 is exact in float.
            float v = m * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        // Rebias the exponent from 15 to 127.
        return Float.intBitsToFloat(sign | ((e + 112) << 23) | (m << 13));
    }

    public static short fromFloat(float f) {
        int x = Float.floatToRawIntBits(f);
        int sign = (x >>> 16) & 0x8000;
        int a = x & 0x7FFFFFFF;
        if (a >= 0x7F800000) {
            if (a == 0x7F800000) {
                return (short) (sign | 0x7C00);
            }
            // NaN: quiet bit forced so a payload only in dropped bits stays NaN.
            return (short) (sign | 0x7E00 | ((a >>> 13) & 0x3FF));
        }
        if (a >= 0x477FF000) {
            // 65520 is the midpoint above 65504 (odd mantissa): it and beyond round to Inf.
            return (short) (sign | 0x7C00);
        }
        if (a >= 0x38800000) {
            // Normal F16 (>= 2^-14): rebias, then add just under half an ulp plus the odd bit.
            int r = a - (112 << 23);
            r += 0x0FFF + ((r >>> 13) & 1);
            return (short) (sign | (r >>> 13));
        }
        int biased = a >>> 23;
        if (biased < 102) {
            // Below 2^-25 (half the smallest subnormal): zero.
            return (short) sign;
        }
        // F16 subnormal: code = m24 * 2^(e+1), rounded to nearest even; may carry into 0x0400.
        int m24 = (a & 0x7FFFFF) | 0x800000;
        int shift = 126 - biased;
        int q = m24 >>> shift;
        int rem = m24 & ((1 << shift) - 1);
        int half = 1 << (shift - 1);
        if (rem > half || (rem == half && (q & 1) != 0)) {
            q++;
        }
        return (short) (sign | q);
    }

    /** Rounds the double straight to F16 (no detour through float, so no double rounding). */
    public static short fromDouble(double d) {
        if (Double.isNaN(d)) {
            return fromFloat((float) d);
        }
        int sign = MiniFloat.sign(d, 15);
        if (Double.isInfinite(d)) {
            return (short) (sign | 0x7C00);
        }
        int code = MiniFloat.roundMagnitude(Math.abs(d), 10, 15);
        return (short) (sign | Math.min(code, 0x7C00));
    }
}
