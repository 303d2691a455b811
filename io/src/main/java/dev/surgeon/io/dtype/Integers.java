package dev.surgeon.io.dtype;

import dev.surgeon.io.safetensors.DType;

/**
 * The integer side of element conversion: how a real value becomes an integer of a given dtype
 * (round half to even, then saturate, NaN to 0) and how 64-bit integers become floating point
 * without losing correct rounding. Integers are carried in a long; U64 holds its raw bits.
 */
final class Integers {
    private Integers() {}

    private static final double TWO_63 = 0x1p63;
    private static final double TWO_64 = 0x1p64;

    /**
     * x rounded half to even and saturated to {@code t}'s range, NaN to 0; U64 comes back as raw
     * bits. BOOL is x != 0.
     */
    static long fromReal(DType t, double x) {
        if (t == DType.BOOL) {
            return x != 0 ? 1 : 0; // NaN != 0, so NaN is true
        }
        if (Double.isNaN(x)) {
            return 0;
        }
        double r = Math.rint(x);
        switch (t) {
            case U8:
                return clamp(r, 0, 0xFF);
            case I8:
                return clamp(r, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case U16:
                return clamp(r, 0, 0xFFFF);
            case I16:
                return clamp(r, Short.MIN_VALUE, Short.MAX_VALUE);
            case U32:
                return clamp(r, 0, 0xFFFFFFFFL);
            case I32:
                return clamp(r, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case I64:
                // Java's double-to-long cast already saturates.
                return (long) r;
            case U64:
                if (r <= 0) {
                    return 0;
                }
                if (r >= TWO_64) {
                    return -1L;
                }
                // Above 2^63 the subtraction is exact (same binade), then set the top bit back.
                return r >= TWO_63 ? (long) (r - TWO_63) | Long.MIN_VALUE : (long) r;
            default:
                throw new IllegalArgumentException(t + " is not an integer type");
        }
    }

    /**
     * Integer-to-integer: v (raw bits when {@code fromU64}) saturated to {@code to}'s range.
     * Kept in long arithmetic so 64-bit values never lose bits through a double.
     */
    static long narrow(long v, boolean fromU64, DType to) {
        if (to == DType.BOOL) {
            return v != 0 ? 1 : 0;
        }
        if (fromU64 && v < 0) {
            // At least 2^63: above every signed range, inside U64's.
            return to == DType.U64 ? v : max(to);
        }
        if (to == DType.U64) {
            return Math.max(v, 0);
        }
        return Math.max(min(to), Math.min(max(to), v));
    }

    private static long min(DType t) {
        switch (t) {
            case I8: return Byte.MIN_VALUE;
            case I16: return Short.MIN_VALUE;
            case I32: return Integer.MIN_VALUE;
            case I64: return Long.MIN_VALUE;
            default: return 0;
        }
    }

    private static long max(DType t) {
        switch (t) {
            case U8: return 0xFF;
            case I8: return Byte.MAX_VALUE;
            case U16: return 0xFFFF;
            case I16: return Short.MAX_VALUE;
            case U32: return 0xFFFFFFFFL;
            case I32: return Integer.MAX_VALUE;
            case I64: return Long.MAX_VALUE;
            case U64: return -1L;
            default: throw new IllegalArgumentException(t + " is not an integer type");
        }
    }

    private static long clamp(double r, long lo, long hi) {
        return r <= lo ? lo : r >= hi ? hi : (long) r;
    }

    /** Unsigned 64-bit to float, correctly rounded: halve with a sticky bit, convert, double. */
    static float u64ToFloat(long v) {
        return v >= 0 ? (float) v : 2f * (float) ((v >>> 1) | (v & 1));
    }

    /** Unsigned 64-bit to double, correctly rounded (same sticky-halving trick). */
    static double u64ToDouble(long v) {
        return v >= 0 ? (double) v : 2.0 * (double) ((v >>> 1) | (v & 1));
    }

    /**
     * A 64-bit integer as a double rounded to odd (truncate, then set the last bit if anything
     * was dropped). Rounding that double again to any format of at most 51 significant bits gives
     * the correctly rounded integer, so I64/U64 to F32/BF16/F16/F8 avoids double rounding.
     */
    static double toDoubleRoundToOdd(long v, boolean unsigned) {
        boolean negative = !unsigned && v < 0;
        long mag = negative ? -v : v; // Long.MIN_VALUE negates to itself: 2^63 read unsigned
        int bits = 64 - Long.numberOfLeadingZeros(mag);
        double d;
        if (bits <= 53) {
            d = (double) mag;
        } else {
            int s = bits - 53;
            long kept = (mag >>> s) | ((mag & ((1L << s) - 1)) != 0 ? 1 : 0);
            d = Math.scalb((double) kept, s);
        }
        return negative ? -d : d;
    }
}
