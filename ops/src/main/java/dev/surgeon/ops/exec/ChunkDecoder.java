package dev.surgeon.ops.exec;

import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.ops.align.TensorGroup;

import java.util.List;

/**
 * Decodes one chunk of every input of a {@link TensorGroup} to F32, straight from a mapping of
 * the chunk ({@link ElementReader#decode}): {@code in[k][i]} is element {@code first + i} of input
 * k. One decoder per thread ({@link #local}), reused from tensor to tensor, so a pass over a model
 * makes no garbage per tensor and memory is one chunk per input per thread. Used by the write pass
 * ({@code Elementwise}) and statistics passes ({@link ChunkPass}).
 */
public final class ChunkDecoder {
    /** Elements per chunk: 256 Ki (1 MiB of floats per input), small enough that a 1024 x 1024 matrix splits in four. */
    public static final int CHUNK = 1 << 18;

    private static final ThreadLocal<ChunkDecoder> LOCAL = new ThreadLocal<>();

    private final float[][] in;

    private ChunkDecoder(int inputs) {
        this.in = new float[inputs][CHUNK];
    }

    /** This thread's decoder for groups of {@code inputs} tensors. */
    public static ChunkDecoder local(int inputs) {
        ChunkDecoder d = LOCAL.get();
        if (d == null || d.in.length != inputs) {
            d = new ChunkDecoder(inputs);
            LOCAL.set(d);
        }
        return d;
    }

    /** Decodes elements {@code [first, first + n)} of every input; n ≤ {@link #CHUNK}. The arrays are reused by the next call. */
    public float[][] read(TensorGroup group, long first, int n) {
        List<TensorRef> refs = group.inputs();
        for (int k = 0; k < refs.size(); k++) {
            ElementReader.decode(refs.get(k), first, n, in[k], 0);
        }
        return in;
    }
}
