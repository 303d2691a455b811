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
     * rounds to nearest even. Trained weights are nearly all normal, so the branch is predictable.
     */
    static void bf16ToF16(ByteBuffer src, ByteBuffer dst, long count) {
        ShortBuffer in = le(src).asShortBuffer();
        ShortBuffer out = le(dst).asShortBuffer();
        short[] a = new short[BLOCK];
        for (long left = count; left > 0; ) {
            int n = (int) Math.min(BLOCK, left);
            in.get(a, 0, n);
            for (int i = 0; i < n; i++) {
                int h = a[i] & 0xFFFF;
                int mag = h & 0x7FFF;
                // biased BF16 exponent 113 .. 142 ⇔ F16 exponent 1 .. 30
                if (mag - (113 << 7) >= 0 && mag - (113 << 7) < (30 << 7)) {
                    a[i] = (short) ((h & 0x8000) | ((mag - (112 << 7)) << 3));
                } else {
                    a[i] = F16.fromFloat(Float.intBitsToFloat(h << 16));
                }
            }
            out.put(a, 0, n);
            left -= n;
        }
        advance(src, dst, count, 2, 2);
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
