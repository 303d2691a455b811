package dev.surgeon.ops.exec;

import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.safetensors.TensorInfo;


/**
 * Reads a tensor's elements as doubles (statistics) or floats (F32 math), one block at a time,
 * decoded straight from a mapping of the block ({@link dev.surgeon.io.safetensors.SafetensorsFile#mapped}):
 * memory is one block whatever the tensor's size, and a file that was truncated after it was opened
 * is an I/O failure, not a crash. Not thread-safe: one reader per thread.
 */
public final class ElementReader {
    /** Default block: 256 Ki elements (2 MiB of doubles). */
    public static final int BLOCK = 1 << 18;

    private final TensorRef ref;
    private final DType dtype;
    private final int width;
    private final int block;
    private double[] values; // allocated on first read(): float readers never need it

    public ElementReader(TensorRef ref) {
        this(ref, BLOCK);
    }

    /** @throws IllegalArgumentException when the dtype is not decodable (F4, F6, C64, ...) */
    public ElementReader(TensorRef ref, int block) {
        this.ref = ref;
        this.dtype = ref.info().dtype();
        if (!dtype.decodable()) {
            throw new IllegalArgumentException(dtype + " is not decodable");
        }
        this.width = dtype.byteWidth();
        int n = (int) Math.max(1, Math.min(block, ref.info().numel()));
        this.block = n;
    }

    /** The most elements one {@link #read} returns. */
    public int blockSize() {
        return block;
    }

    public long numel() {
        return ref.info().numel();
    }

    /**
     * Decodes elements {@code [first, first + count)} into the start of the returned array, which
     * is reused by the next call. {@code count} is at most {@link #blockSize()}.
     */
    public double[] read(long first, int count) {
        checkCount(count);
        if (values == null) {
            values = new double[block];
        }
        double[] dst = values;
        ref.file().mapped(ref.info(), first * width, count * width, b -> ElementCodec.decode(dtype, b, dst, 0, count));
        return dst;
    }

    /**
     * As {@link #read}, decoded to floats for F32 math; elements {@code [first, first + count)} land
     * at {@code dst[offset...]}.
     */
    public void readFloats(long first, int count, float[] dst, int offset) {
        checkCount(count);
        decode(ref, first, count, dst, offset);
    }

    /**
     * Elements {@code [first, first + count)} of a decodable tensor decoded to F32 at
     * {@code dst[offset...]}, straight from a mapping of their bytes (no buffer of this reader's).
     */
    public static void decode(TensorRef ref, long first, int count, float[] dst, int offset) {
        DType dt = ref.info().dtype();
        int w = dt.byteWidth();
        ref.file().mapped(ref.info(), first * w, count * w, b -> ElementCodec.decode(dt, b, dst, offset, count));
    }

    /** The whole tensor decoded into {@code dst[0 .. numel)} (dst may be longer), block by block. */
    public void readAll(float[] dst, int n) {
        for (int first = 0; first < n; first += block) {
            readFloats(first, Math.min(block, n - first), dst, first);
        }
    }

    /** A whole tensor (under 2^31 elements) decoded to F32 in its stored row-major order. */
    public static float[] readAll(TensorRef ref) {
        long n = ref.info().numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor '" + ref.name() + "' has more than 2^31 elements");
        }
        float[] out = new float[(int) n];
        new ElementReader(ref).readAll(out, (int) n);
        return out;
    }

    private void checkCount(int count) {
        if (count > block) {
            throw new IllegalArgumentException("count " + count + " exceeds block " + block);
        }
    }

    /** Streams every element of a decodable tensor through {@code consumer}, block by block. */
    public static void forEachBlock(TensorRef ref, BlockConsumer consumer) {
        ElementReader r = new ElementReader(ref);
        long n = r.numel();
        for (long first = 0; first < n; first += r.blockSize()) {
            int count = (int) Math.min(r.blockSize(), n - first);
            consumer.accept(r.read(first, count), count);
        }
    }

    /** True when the tensor's elements can be read as numbers. */
    public static boolean canRead(TensorInfo t) {
        return t.dtype().decodable();
    }

    /** Receives {@code count} decoded values at the start of {@code values}. */
    @FunctionalInterface
    public interface BlockConsumer {
        void accept(double[] values, int count);
    }
}
