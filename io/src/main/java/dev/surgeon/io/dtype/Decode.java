package dev.surgeon.io.dtype;

import dev.surgeon.io.safetensors.DType;
import java.nio.ByteBuffer;

/**
 * Element loops from little-endian bytes to arrays. {@code in} is already little-endian and
 * {@code p} is the absolute byte position of the first element; bounds are checked by the caller.
 * The dtype switch sits outside each loop so the loops stay monomorphic and tight.
 */
final class Decode {
    private Decode() {}

    static void toFloat(DType t, ByteBuffer in, int p, float[] d, int o, int n) {
        switch (t) {
            case BOOL: for (int i = 0; i < n; i++) d[o + i] = in.get(p + i) != 0 ? 1f : 0f; break;
            case U8: for (int i = 0; i < n; i++) d[o + i] = in.get(p + i) & 0xFF; break;
            case I8: for (int i = 0; i < n; i++) d[o + i] = in.get(p + i); break;
            case U16: for (int i = 0; i < n; i++) d[o + i] = in.getShort(p + 2 * i) & 0xFFFF; break;
            case I16: for (int i = 0; i < n; i++) d[o + i] = in.getShort(p + 2 * i); break;
            case U32:
                for (int i = 0; i < n; i++) d[o + i] = in.getInt(p + 4 * i) & 0xFFFFFFFFL;
                break;
            case I32: for (int i = 0; i < n; i++) d[o + i] = in.getInt(p + 4 * i); break;
            case U64:
                for (int i = 0; i < n; i++) d[o + i] = Integers.u64ToFloat(in.getLong(p + 8 * i));
                break;
            case I64: for (int i = 0; i < n; i++) d[o + i] = in.getLong(p + 8 * i); break;
            case F16:
                for (int i = 0; i < n; i++) d[o + i] = F16.toFloat(in.getShort(p + 2 * i));
                break;
            case BF16: FastPaths.bf16ToFloats(in, p, d, o, n); break;
            case F32: in.position(p); in.asFloatBuffer().get(d, o, n); break;
            case F64: for (int i = 0; i < n; i++) d[o + i] = (float) in.getDouble(p + 8 * i); break;
            case F8_E4M3:
                for (int i = 0; i < n; i++) d[o + i] = F8E4M3.toFloat(in.get(p + i));
                break;
            case F8_E5M2:
                for (int i = 0; i < n; i++) d[o + i] = F8E5M2.toFloat(in.get(p + i));
                break;
            default: throw ElementCodec.notDecodable(t);
        }
    }

    static void toDouble(DType t, ByteBuffer in, int p, double[] d, int o, int n) {
        switch (t) {
            case BOOL: for (int i = 0; i < n; i++) d[o + i] = in.get(p + i) != 0 ? 1 : 0; break;
            case U8: for (int i = 0; i < n; i++) d[o + i] = in.get(p + i) & 0xFF; break;
            case I8: for (int i = 0; i < n; i++) d[o + i] = in.get(p + i); break;
            case U16: for (int i = 0; i < n; i++) d[o + i] = in.getShort(p + 2 * i) & 0xFFFF; break;
            case I16: for (int i = 0; i < n; i++) d[o + i] = in.getShort(p + 2 * i); break;
            case U32:
                for (int i = 0; i < n; i++) d[o + i] = in.getInt(p + 4 * i) & 0xFFFFFFFFL;
                break;
            case I32: for (int i = 0; i < n; i++) d[o + i] = in.getInt(p + 4 * i); break;
            case U64:
                for (int i = 0; i < n; i++) d[o + i] = Integers.u64ToDouble(in.getLong(p + 8 * i));
                break;
            case I64: for (int i = 0; i < n; i++) d[o + i] = in.getLong(p + 8 * i); break;
            case F16:
                for (int i = 0; i < n; i++) d[o + i] = F16.toFloat(in.getShort(p + 2 * i));
                break;
            case BF16:
                for (int i = 0; i < n; i++) d[o + i] = Bf16.toFloat(in.getShort(p + 2 * i));
                break;
            case F32: for (int i = 0; i < n; i++) d[o + i] = in.getFloat(p + 4 * i); break;
            case F64: in.position(p); in.asDoubleBuffer().get(d, o, n); break;
            case F8_E4M3:
                for (int i = 0; i < n; i++) d[o + i] = F8E4M3.toFloat(in.get(p + i));
                break;
            case F8_E5M2:
                for (int i = 0; i < n; i++) d[o + i] = F8E5M2.toFloat(in.get(p + i));
                break;
            default: throw ElementCodec.notDecodable(t);
        }
    }

    /** Integer and bool elements as longs (U64 as raw bits), for integer-to-integer converts. */
    static void toLong(DType t, ByteBuffer in, int p, long[] d, int n) {
        switch (t) {
            case BOOL: for (int i = 0; i < n; i++) d[i] = in.get(p + i) != 0 ? 1 : 0; break;
            case U8: for (int i = 0; i < n; i++) d[i] = in.get(p + i) & 0xFF; break;
            case I8: for (int i = 0; i < n; i++) d[i] = in.get(p + i); break;
            case U16: for (int i = 0; i < n; i++) d[i] = in.getShort(p + 2 * i) & 0xFFFF; break;
            case I16: for (int i = 0; i < n; i++) d[i] = in.getShort(p + 2 * i); break;
            case U32: for (int i = 0; i < n; i++) d[i] = in.getInt(p + 4 * i) & 0xFFFFFFFFL; break;
            case I32: for (int i = 0; i < n; i++) d[i] = in.getInt(p + 4 * i); break;
            case U64: case I64: for (int i = 0; i < n; i++) d[i] = in.getLong(p + 8 * i); break;
            default: throw new IllegalArgumentException(t + " is not an integer type");
        }
    }
}
