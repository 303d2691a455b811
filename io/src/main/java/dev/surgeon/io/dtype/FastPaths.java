package dev.surgeon.io.dtype;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;

/**
 * Bulk loops for the conversions that dominate checkpoint rewriting (F32 to and from BF16/F16).
 * Whole blocks move through int[]/short[] scratch with bulk view get/put, so the inner loop is
 * plain array code the JIT can unroll; per-element ByteBuffer calls would cap throughput.
 */
final class FastPaths {
    private FastPaths() {}

    static final int BLOCK = 8192;

    /**
     * {@link Bf16#fromFloatBits} without its branch, so loops calling it can be vectorised: isNan
     * is all ones for a NaN and selects the quieted NaN instead of the rounded value.
     */
    static short bf16(int x) {
        int rounded = (x + 0x7FFF + ((x >>> 16) & 1)) >>> 16;
        int isNan = (0x7F800000 - (x & 0x7FFFFFFF)) >> 31;
        return (short) ((rounded & ~isNan) | (((x >>> 16) | 0x0040) & isNan));
    }

    static void f32ToBf16(ByteBuffer src, ByteBuffer dst, long count) {
        IntBuffer in = le(src).asIntBuffer();
        ShortBuffer out = le(dst).asShortBuffer();
        int[] a = new int[BLOCK];
        short[] b = new short[BLOCK];
        for (long left = count; left > 0; ) {
            int n = (int) Math.min(BLOCK, left);
            in.get(a, 0, n);
            for (int i = 0; i < n; i++) {
                b[i] = bf16(a[i]);
            }
            out.put(b, 0, n);
            left -= n;
        }
        advance(src, dst, count, 4, 2);
    }

    static void bf16ToF32(ByteBuffer src, ByteBuffer dst, long count) {
        ShortBuffer in = le(src).asShortBuffer();
        IntBuffer out = le(dst).asIntBuffer();
        short[] a = new short[BLOCK];
        int[] b = new int[BLOCK];
        for (long left = count; left > 0; ) {
            int n = (int) Math.min(BLOCK, left);
            in.get(a, 0, n);
            for (int i = 0; i < n; i++) {
                b[i] = (a[i] & 0xFFFF) << 16;
            }
            out.put(b, 0, n);
            left -= n;
        }
        advance(src, dst, count, 2, 4);
    }

    static void f32ToF16(ByteBuffer src, ByteBuffer dst, long count) {
        IntBuffer in = le(src).asIntBuffer();
        ShortBuffer out = le(dst).asShortBuffer();
        int[] a = new int[BLOCK];
        short[] b = new short[BLOCK];
        for (long left = count; left > 0; ) {
            int n = (int) Math.min(BLOCK, left);
            in.get(a, 0, n);
            for (int i = 0; i < n; i++) {
                b[i] = F16.fromFloat(Float.intBitsToFloat(a[i]));
            }
            out.put(b, 0, n);
            left -= n;
        }
        advance(src, dst, count, 4, 2);
    }

    /**
     * BF16 to F16 in bits: where the value is a normal F16 (exponent 2^-14 .. 2^15) the 7-bit
     * mantissa widens exactly into the 10-bit one and only the exponent is rebiased; the rest
     * (zeros, F16 subnormals, overflow to infinity, NaN) goes through {@link F16#fromFloat}, which
     * rounds to nearest even. The elements move two to an int so that the loops are int-only and
     * the JIT vectorises them (a loop of shorts with a branch per element stayed scalar: 2.3-3.7 ns
     * an element on a 0.5B model's bytes, against 0.8 ns). Trained weights are nearly all normal,
     * but nearly every block of thousands holds a few values under 2^-14, so the pairs holding
     * those are redone one by one rather than the block. Blocks of {@link #PAIRS} keep the three
     * int arrays in the first-level cache (4096 pairs took 1.2 ns an element, 256 took 0.8).
     */
    static void bf16ToF16(ByteBuffer src, ByteBuffer dst, long count) {
        IntBuffer in = le(src).asIntBuffer();
        IntBuffer out = le(dst).asIntBuffer();
        int[] a = new int[PAIRS];
        int[] b = new int[PAIRS];
        int[] special = new int[PAIRS];
        long pairs = count / 2;
        for (long left = pairs; left > 0; ) {
            int n = (int) Math.min(PAIRS, left);
            in.get(a, 0, n);
            normalPairsToF16(a, b, special, n);
            redoSpecialPairs(a, b, special, n);
            out.put(b, 0, n);
            left -= n;
        }
        if ((count & 1) != 0) {
            int last = (int) (2 * pairs);
            le(dst).putShort(dst.position() + 2 * last, bf16ToF16(le(src).getShort(src.position() + 2 * last)));
        }
        advance(src, dst, count, 2, 2);
    }

    /** Element pairs per block of {@link #bf16ToF16}. */
    static final int PAIRS = 256;

    /**
     * Converts {@code a[0..n)}, each two little-endian BF16 values, into F16 pairs in {@code b}
     * as if every value were a normal F16, and marks in {@code special} (non-zero) the pairs where
     * one is not. Per 16-bit half: {@code (mag | 0x8000) - 0x3880} keeps bit 15 exactly when
     * mag ≥ 113 << 7 and {@code 0xC77F - mag} exactly when mag ≤ (142 << 7) + 127, neither
     * borrowing across halves; for such mag {@code (mag - (112 << 7)) << 3} stays within its half.
     * Two loops of one store each: C2 (JDK 17) vectorises those and not one loop storing both.
     */
    private static void normalPairsToF16(int[] a, int[] b, int[] special, int n) {
        for (int i = 0; i < n; i++) {
            int x = a[i];
            b[i] = (x & 0x80008000) | (((x & 0x7FFF7FFF) - 0x38003800) << 3);
        }
        for (int i = 0; i < n; i++) {
            int mag = a[i] & 0x7FFF7FFF;
            special[i] = ~(((mag | 0x80008000) - 0x38803880) & (0xC77FC77F - mag)) & 0x80008000;
        }
    }

    /** Redoes value by value the pairs marked special, testing eight marks at a time. */
    private static void redoSpecialPairs(int[] a, int[] b, int[] special, int n) {
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            if ((special[i] | special[i + 1] | special[i + 2] | special[i + 3]
                    | special[i + 4] | special[i + 5] | special[i + 6] | special[i + 7]) != 0) {
                for (int j = i; j < i + 8; j++) {
                    if (special[j] != 0) {
                        b[j] = pairToF16(a[j]);
                    }
                }
            }
        }
        for (; i < n; i++) {
            if (special[i] != 0) {
                b[i] = pairToF16(a[i]);
            }
        }
    }

    private static int pairToF16(int x) {
        return (bf16ToF16(x) & 0xFFFF) | (bf16ToF16(x >>> 16) << 16);
    }

    /** One BF16 value (low 16 bits of h) as F16 bits. */
    private static short bf16ToF16(int h) {
        h &= 0xFFFF;
        int mag = h & 0x7FFF;
        // biased BF16 exponent 113 .. 142 ⇔ F16 exponent 1 .. 30
        if (mag - (113 << 7) >= 0 && mag - (113 << 7) < (30 << 7)) {
            return (short) ((h & 0x8000) | ((mag - (112 << 7)) << 3));
        }
        return F16.fromFloat(Float.intBitsToFloat(h << 16));
    }

    static void f16ToF32(ByteBuffer src, ByteBuffer dst, long count) {
        ShortBuffer in = le(src).asShortBuffer();
        IntBuffer out = le(dst).asIntBuffer();
        short[] a = new short[BLOCK];
        int[] b = new int[BLOCK];
        for (long left = count; left > 0; ) {
            int n = (int) Math.min(BLOCK, left);
            in.get(a, 0, n);
            for (int i = 0; i < n; i++) {
                // Raw bits, so NaN payloads survive the trip through the int view.
                b[i] = Float.floatToRawIntBits(F16.toFloat(a[i]));
            }
            out.put(b, 0, n);
            left -= n;
        }
        advance(src, dst, count, 2, 4);
    }

    private static final ThreadLocal<short[]> SHORTS = ThreadLocal.withInitial(() -> new short[BLOCK]);

    /** BF16 bytes at absolute position p (little-endian buffer) to floats: bulk get, then a shift. */
    static void bf16ToFloats(ByteBuffer in, int p, float[] d, int o, int n) {
        short[] a = SHORTS.get();
        ShortBuffer src = in.duplicate().position(p).order(ByteOrder.LITTLE_ENDIAN).slice().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        for (int done = 0; done < n; ) {
            int m = Math.min(BLOCK, n - done);
            src.get(a, 0, m);
            for (int i = 0; i < m; i++) {
                d[o + done + i] = Float.intBitsToFloat((a[i] & 0xFFFF) << 16);
            }
            done += m;
        }
    }

    /** Floats to BF16 bytes at absolute position p, rounding as {@link Bf16#fromFloat}, branch-free. */
    static void floatsToBf16(float[] s, int o, int n, ByteBuffer out, int p) {
        short[] b = SHORTS.get();
        ShortBuffer dst = out.duplicate().position(p).order(ByteOrder.LITTLE_ENDIAN).slice().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        for (int done = 0; done < n; ) {
            int m = Math.min(BLOCK, n - done);
            for (int i = 0; i < m; i++) {
                b[i] = bf16(Float.floatToRawIntBits(s[o + done + i]));
            }
            dst.put(b, 0, m);
            done += m;
        }
    }

    /**
     * Finite floats to BF16 as {@link #floatsToBf16}, without the NaN select, and an OR of
     * {@code (x & exponent) + 1 ulp of exponent}, whose sign bit is set exactly when some exponent
     * is all ones (NaN or infinity): false then, at the end of the block that held it.
     */
    static boolean floatsToBf16Finite(float[] s, int o, int n, ByteBuffer out, int p) {
        short[] b = SHORTS.get();
        ShortBuffer dst = out.duplicate().position(p).order(ByteOrder.LITTLE_ENDIAN).slice().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        for (int done = 0; done < n; ) {
            int m = Math.min(BLOCK, n - done);
            int special = 0;
            for (int i = 0; i < m; i++) {
                int x = Float.floatToRawIntBits(s[o + done + i]);
                special |= (x & 0x7F800000) + 0x00800000;
                b[i] = (short) ((x + 0x7FFF + ((x >>> 16) & 1)) >>> 16);
            }
            if (special < 0) {
                return false;
            }
            dst.put(b, 0, m);
            done += m;
        }
        return true;
    }

    static ByteBuffer le(ByteBuffer b) {
        return b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void advance(ByteBuffer src, ByteBuffer dst, long count, int inW, int outW) {
        src.position(src.position() + (int) (count * inW));
        dst.position(dst.position() + (int) (count * outW));
    }
}
