package dev.surgeon.ops.exec;

import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.ops.align.TensorGroup;

import java.util.List;

/**
 * Streams a {@link TensorGroup} chunk by chunk: the same element range of every input, decoded to
 * F32, so element-wise methods see {@code in[k][i]} = element {@code first + i} of input k.
 * Memory is one chunk per input whatever the tensor's size. One reader per thread.
 */
public final class GroupReader {
    /** Elements per chunk: 1 Mi (4 MiB of floats per input). */
    public static final int CHUNK = 1 << 20;

    private final TensorGroup group;
    private final ElementReader[] readers;
    private final float[][] in;
    private final int chunk;

    public GroupReader(TensorGroup group) {
        this(group, CHUNK);
    }

    public GroupReader(TensorGroup group, int chunk) {
        this.group = group;
        List<TensorRef> refs = group.inputs();
        this.chunk = (int) Math.max(1, Math.min(chunk, group.numel()));
        this.readers = new ElementReader[refs.size()];
        this.in = new float[refs.size()][this.chunk];
        for (int k = 0; k < refs.size(); k++) {
            readers[k] = new ElementReader(refs.get(k), this.chunk);
        }
    }

    /** Receives {@code n} elements of every input starting at element {@code first}. */
    @FunctionalInterface
    public interface ChunkVisitor {
        void accept(float[][] in, int n, long first) throws java.io.IOException;
    }

    public int chunkSize() {
        return chunk;
    }

    public void forEachChunk(ChunkVisitor v) throws java.io.IOException {
        long total = group.numel();
        for (long first = 0; first < total; first += chunk) {
            int n = (int) Math.min(chunk, total - first);
            for (int k = 0; k < readers.length; k++) {
                readers[k].readFloats(first, n, in[k], 0);
            }
            v.accept(in, n, first);
        }
    }
}
