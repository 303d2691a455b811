package dev.surgeon.io.dtype;

import dev.surgeon.io.safetensors.DType;
import java.nio.ByteBuffer;

/**
 * Element loops from arrays to little-endian bytes. {@code out} is already little-endian and
 * {@code p} is the absolute byte position of the first element; bounds are checked by the caller.
 * Floats round to nearest even through the format codecs; integers go through {@link Integers}.
 */
final class Encode {
    private Encode() {}

    static void fromFloat(DType t, float[] s, int o, int n, ByteBuffer out, int p) {
        switch (t) {
            case F16:
                for (int i = 0; i < n; i++) out.putShort(p + 2 * i, F16.fromFloat(s[o + i]));
                break;
            case BF16: FastPaths.floatsToBf16(s, o, n, out, p); break;
            case F32: out.position(p); out.asFloatBuffer().put(s, o, n); break;
            case F64: for (int i = 0; i < n; i++) out.putDouble(p + 8 * i, s[o + i]); break;
            case F8_E4M3:
                for (int i = 0; i < n; i++) out.put(p + i, F8E4M3.fromFloat(s[o + i]));
                break;
            case F8_E5M2:
                for (int i = 0; i < n; i++) out.put(p + i, F8E5M2.fromFloat(s[o + i]));
                break;
            default:
                // Every float is exact as a double, so the integer rules see the true value.
                int w = t.byteWidth();
                for (int i = 0; i < n; i++) {
                    putInteger(out, p + w * i, w, Integers.fromReal(t, s[o + i]));
                }
        }
    }

    static void fromDouble(DType t, double[] s, int o, int n, ByteBuffer out, int p) {
        switch (t) {
            case F16:
                for (int i = 0; i < n; i++) out.putShort(p + 2 * i, F16.fromDouble(s[o + i]));
                break;
            case BF16:
                for (int i = 0; i < n; i++) out.putShort(p + 2 * i, Bf16.fromDouble(s[o + i]));
                break;
            case F32: for (int i = 0; i < n; i++) out.putFloat(p + 4 * i, (float) s[o + i]); break;
            case F64: out.position(p); out.asDoubleBuffer().put(s, o, n); break;
            case F8_E4M3:
                for (int i = 0; i < n; i++) out.put(p + i, F8E4M3.fromDouble(s[o + i]));
                break;
            case F8_E5M2:
                for (int i = 0; i < n; i++) out.put(p + i, F8E5M2.fromDouble(s[o + i]));
                break;
            default:
                int w = t.byteWidth();
                for (int i = 0; i < n; i++) {
                    putInteger(out, p + w * i, w, Integers.fromReal(t, s[o + i]));
                }
        }
    }

    /** Already-saturated integers (see {@link Integers#narrow}) written at their width. */
    static void fromLong(DType t, long[] s, int n, ByteBuffer out, int p) {
        int w = t.byteWidth();
        for (int i = 0; i < n; i++) {
            putInteger(out, p + w * i, w, s[i]);
        }
    }

    private static void putInteger(ByteBuffer out, int at, int width, long v) {
        switch (width) {
            case 1: out.put(at, (byte) v); break;
            case 2: out.putShort(at, (short) v); break;
            case 4: out.putInt(at, (int) v); break;
            default: out.putLong(at, v);
        }
    }
}
