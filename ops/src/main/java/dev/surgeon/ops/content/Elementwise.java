package dev.surgeon.ops.content;

import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.TensorContent;
import dev.surgeon.io.write.TensorSink;
import dev.surgeon.ops.align.TensorGroup;
import dev.surgeon.ops.exec.GroupReader;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An output tensor computed element by element from the inputs of a {@link TensorGroup}: each chunk
 * of the inputs is decoded to F32, the kernel fills the output chunk, and it is encoded once to the
 * output dtype (round to nearest even) and streamed out. The kernel sees absolute element indices,
 * so seeded per-element randomness does not depend on chunking.
 */
public final class Elementwise implements TensorContent {
    /** Computes {@code out[0..n)} from {@code in[k][0..n)}, which are elements {@code first..first+n) of input k. */
    @FunctionalInterface
    public interface Kernel {
        void apply(float[][] in, float[] out, int n, long first);
    }

    private final TensorGroup group;
    private final DType out;
    private final Kernel kernel;

    public Elementwise(TensorGroup group, DType out, Kernel kernel) {
        this.group = group;
        this.out = out;
        this.kernel = kernel;
    }

    @Override
    public void writeTo(TensorSink sink) throws IOException {
        GroupReader reader = new GroupReader(group);
        float[] result = new float[reader.chunkSize()];
        ByteBuffer bytes = Scratch.get(reader.chunkSize() * out.byteWidth());
        reader.forEachChunk((in, n, first) -> {
            kernel.apply(in, result, n, first);
            bytes.clear();
            ElementCodec.encode(out, result, 0, n, bytes);
            bytes.flip();
            sink.write(bytes);
        });
    }
}
