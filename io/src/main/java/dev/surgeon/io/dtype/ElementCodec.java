package dev.surgeon.io.dtype;

import dev.surgeon.io.safetensors.DType;
import java.nio.BufferOverflowException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.Objects;

/**
 * Bulk conversion between little-endian tensor bytes and Java arrays, and between any two
 * decodable dtypes. Safetensors data is always little-endian, so reads and writes go through a
 * little-endian duplicate and never depend on or change the caller's byte order; only positions
 * advance. Opaque dtypes are refused: they are carried through untouched elsewhere.
 */
public final class ElementCodec {
    private ElementCodec() {}

    /** Reads {@code count} elements at src's position into dst (BOOL as 0/1, unsigned as such). */
    public static void decode(DType t, ByteBuffer src, float[] dst, int offset, int count) {
        Objects.checkFromIndexSize(offset, count, dst.length);
        int p = reserve(t, src, count, false);
        Decode.toFloat(t, FastPaths.le(src), p, dst, offset, count);
        src.position(p + count * t.byteWidth());
    }

    /** As {@link #decode(DType, ByteBuffer, float[], int, int)}; exact but for 64-bit integers. */
    public static void decode(DType t, ByteBuffer src, double[] dst, int offset, int count) {
        Objects.checkFromIndexSize(offset, count, dst.length);
        int p = reserve(t, src, count, false);
        Decode.toDouble(t, FastPaths.le(src), p, dst, offset, count);
        src.position(p + count * t.byteWidth());
    }

    /**
     * Writes {@code count} elements at dst's position. Floats round to nearest even; integers
     * round half to even then saturate, NaN to 0; BOOL is x != 0 (so NaN is true).
     */
    public static void encode(DType t, float[] src, int offset, int count, ByteBuffer dst) {
        Objects.checkFromIndexSize(offset, count, src.length);
        int p = reserve(t, dst, count, true);
        Encode.fromFloat(t, src, offset, count, FastPaths.le(dst), p);
        dst.position(p + count * t.byteWidth());
    }

    /**
     * As {@link #encode(DType, float[], int, int, ByteBuffer)} when every value is finite, in one
     * pass that also checks it (the write pass's numeric guard needs that check, and a separate loop
     * cost as much as the encoding, measured). Returns false when some value is NaN or infinite;
     * then dst's position is unchanged and the caller checks and encodes the slow way.
     */
    public static boolean encodeFinite(DType t, float[] src, int offset, int count, ByteBuffer dst) {
        Objects.checkFromIndexSize(offset, count, src.length);
        int p = reserve(t, dst, count, true);
        boolean finite;
        if (t == DType.BF16) {
            finite = FastPaths.floatsToBf16Finite(src, offset, count, FastPaths.le(dst), p);
        } else {
            finite = true;
            for (int i = 0; i < count && finite; i++) {
                finite = Float.isFinite(src[offset + i]);
            }
            if (finite) {
                Encode.fromFloat(t, src, offset, count, FastPaths.le(dst), p);
            }
        }
        if (finite) {
            dst.position(p + count * t.byteWidth());
        }
        return finite;
    }

    /** As the float form; narrow float targets round once, straight from the double. */
    public static void encode(DType t, double[] src, int offset, int count, ByteBuffer dst) {
        Objects.checkFromIndexSize(offset, count, src.length);
        int p = reserve(t, dst, count, true);
        Encode.fromDouble(t, src, offset, count, FastPaths.le(dst), p);
        dst.position(p + count * t.byteWidth());
    }

    /**
     * Converts {@code count} elements from src to dst, advancing both. Every result is the one
     * {@link #encode} would give for the exact source value: identity is a byte copy, the hot
     * F32/BF16/F16 pairs have bulk loops, integer pairs stay in long arithmetic, and the rest go
     * through float blocks, or double blocks when float could not hold the source exactly.
     */
    public static void convert(DType from, DType to, ByteBuffer src, ByteBuffer dst, long count) {
        if (count < 0) {
            throw new IllegalArgumentException("negative count " + count);
        }
        int in = reserve(from, src, count, false);
        int out = reserve(to, dst, count, true);
        if (from == to) {
            ByteBuffer run = src.duplicate();
            run.limit(in + (int) (count * from.byteWidth()));
            dst.put(run);
            src.position(run.limit());
        } else if (from == DType.F32 && to == DType.BF16) {
            FastPaths.f32ToBf16(src, dst, count);
        } else if (from == DType.BF16 && to == DType.F16) {
            FastPaths.bf16ToF16(src, dst, count);
        } else if (from == DType.BF16 && to == DType.F32) {
            FastPaths.bf16ToF32(src, dst, count);
        } else if (from == DType.F32 && to == DType.F16) {
            FastPaths.f32ToF16(src, dst, count);
        } else if (from == DType.F16 && to == DType.F32) {
            FastPaths.f16ToF32(src, dst, count);
        } else {
            convertInBlocks(from, to, FastPaths.le(src), in, FastPaths.le(dst), out, (int) count);
            src.position(in + (int) (count * from.byteWidth()));
            dst.position(out + (int) (count * to.byteWidth()));
        }
    }

    private static void convertInBlocks(DType from, DType to, ByteBuffer in, int p, ByteBuffer out,
            int q, int count) {
        int block = FastPaths.BLOCK;
        int wi = from.byteWidth();
        int wo = to.byteWidth();
        if (isInteger(from) && isInteger(to)) {
            // Through a double, 64-bit integers would lose their low bits.
            long[] v = new long[block];
            for (int done = 0; done < count; done += block) {
                int n = Math.min(block, count - done);
                Decode.toLong(from, in, p + done * wi, v, n);
                for (int i = 0; i < n; i++) {
                    v[i] = Integers.narrow(v[i], from == DType.U64, to);
                }
                Encode.fromLong(to, v, n, out, q + done * wo);
            }
        } else if (exactInFloat(from)) {
            float[] v = new float[block];
            for (int done = 0; done < count; done += block) {
                int n = Math.min(block, count - done);
                Decode.toFloat(from, in, p + done * wi, v, 0, n);
                Encode.fromFloat(to, v, 0, n, out, q + done * wo);
            }
        } else if ((from == DType.I64 || from == DType.U64) && to != DType.F64) {
            // Rounded to odd in the double, so the one rounding to the narrow float is correct.
            long[] l = new long[block];
            double[] v = new double[block];
            for (int done = 0; done < count; done += block) {
                int n = Math.min(block, count - done);
                Decode.toLong(from, in, p + done * wi, l, n);
                for (int i = 0; i < n; i++) {
                    v[i] = Integers.toDoubleRoundToOdd(l[i], from == DType.U64);
                }
                Encode.fromDouble(to, v, 0, n, out, q + done * wo);
            }
        } else {
            double[] v = new double[block];
            for (int done = 0; done < count; done += block) {
                int n = Math.min(block, count - done);
                Decode.toDouble(from, in, p + done * wi, v, 0, n);
                Encode.fromDouble(to, v, 0, n, out, q + done * wo);
            }
        }
    }

    private static boolean isInteger(DType t) {
        return t.kind() == DType.Kind.INT || t.kind() == DType.Kind.BOOL;
    }

    /** Types whose every value a float holds exactly (at most 24 significant bits). */
    private static boolean exactInFloat(DType t) {
        switch (t) {
            case I32: case U32: case I64: case U64: case F64: return false;
            default: return true;
        }
    }

    /** Checks dtype and room for count elements; returns the buffer's position. */
    private static int reserve(DType t, ByteBuffer b, long count, boolean writing) {
        if (!t.decodable()) {
            throw notDecodable(t);
        }
        if (writing && b.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        if (count * t.byteWidth() > b.remaining()) {
            throw writing ? new BufferOverflowException() : new BufferUnderflowException();
        }
        return b.position();
    }

    static IllegalArgumentException notDecodable(DType t) {
        return new IllegalArgumentException(t + " is opaque: it has no element codec");
    }
}
