package dev.surgeon.ops.content;

import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.error.NumericGuardException;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.TensorContent;
import dev.surgeon.io.write.TensorSink;
import dev.surgeon.ops.align.TensorGroup;
import dev.surgeon.ops.exec.ChunkDecoder;
import dev.surgeon.ops.exec.OrderedChunks;
import dev.surgeon.ops.exec.Workers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * An output tensor computed element by element from the inputs of a {@link TensorGroup}: each chunk
 * of the inputs is decoded to F32, the kernel fills the output chunk, and it is encoded once to the
 * output dtype (round to nearest even) and streamed out. The kernel sees absolute element indices,
 * so seeded per-element randomness does not depend on chunking.
 *
 * <p>Chunks are read by positioned reads into a direct buffer and decoded into float arrays that
 * each thread keeps from tensor to tensor ({@code ChunkScratch}), so a run allocates no per-tensor
 * garbage: memory is a few chunk buffers whatever the model's size. Each chunk is encoded straight
 * into the buffer the writer writes ({@link OrderedChunks}). With {@code threads} &gt; 1 the chunks
 * of one tensor are computed on that many shared worker threads ({@link Workers}) and written in
 * element order: the bytes do not depend on the thread count.
 */
public final class Elementwise implements TensorContent {
    /**
     * Computes {@code out[0..n)} from {@code in[k][0..n)}, which are elements {@code first..first+n) of input k.
     * With threads &gt; 1 it is called from several threads at once on different chunks of a tensor, so
     * what it computes may depend only on its arguments, and any state it updates must be thread-safe.
     */
    @FunctionalInterface
    public interface Kernel {
        void apply(float[][] in, float[] out, int n, long first);
    }

    /** Elements per chunk: 256 Ki (1 MiB of floats per input). */
    public static final int CHUNK = 1 << 18;

    private final TensorGroup group;
    private final DType out;
    private final Kernel kernel;
    private final int threads;

    public Elementwise(TensorGroup group, DType out, Kernel kernel) {
        this(group, out, kernel, 1);
    }

    /** {@code threads}: worker threads for this tensor's chunks; 1 computes on the writing thread. */
    public Elementwise(TensorGroup group, DType out, Kernel kernel, int threads) {
        this.group = group;
        this.out = out;
        this.kernel = kernel;
        this.threads = Math.max(1, threads);
    }

    @Override
    public void writeTo(TensorSink sink) throws IOException {
        OrderedChunks.write(sink, group.numel(), CHUNK, out.byteWidth(), threads,
                (first, n, dst) -> ChunkScratch.local().compute(group, kernel, out, first, n, dst));
    }

    @Override
    public List<TensorRef> inputs() {
        return group.inputs();
    }

    /** One thread's reused output array; inputs come from its {@link ChunkDecoder}. */
    private static final class ChunkScratch {
        private static final ThreadLocal<ChunkScratch> LOCAL = ThreadLocal.withInitial(ChunkScratch::new);

        private final float[] result = new float[CHUNK];

        static ChunkScratch local() {
            return LOCAL.get();
        }

        /** Reads and decodes elements [first, first + n) of every input, applies the kernel, encodes into {@code dst}. */
        void compute(TensorGroup group, Kernel kernel, DType out, long first, int n, ByteBuffer dst) {
            float[][] in = ChunkDecoder.local(group.inputs().size()).read(group, first, n);
            kernel.apply(in, result, n, first);
            if (!ElementCodec.encodeFinite(out, result, 0, n, dst)) {
                guardFinite(group, in, result, n, first);
                ElementCodec.encode(out, result, 0, n, dst);
            }
        }

        /**
         * The numeric guard: a NaN or Inf the method produced from finite inputs fails the run
         * (exit 5) naming the tensor; one already in an input is carried through, not blamed.
         */
        private static void guardFinite(TensorGroup group, float[][] in, float[] result, int n, long first) {
            for (int i = 0; i < n; i++) {
                if (!Float.isFinite(result[i])) {
                    boolean inputsFinite = true;
                    for (float[] x : in) {
                        inputsFinite &= Float.isFinite(x[i]);
                    }
                    if (inputsFinite) {
                        throw new NumericGuardException("tensor '" + group.name() + "': element " + (first + i)
                                + " became " + result[i] + " from finite inputs");
                    }
                }
            }
        }
    }
}
