package dev.surgeon.ops.synth;

import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.TensorContent;
import dev.surgeon.io.write.TensorSink;
import dev.surgeon.ops.content.Scratch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** A tensor whose every element is one value (norm weights 1, biases 0), written from one encoded chunk. */
public final class ConstantFill implements TensorContent {
    private static final int CHUNK = 1 << 16;

    private final DType dtype;
    private final long numel;
    private final float value;

    public ConstantFill(DType dtype, long numel, float value) {
        this.dtype = dtype;
        this.numel = numel;
        this.value = value;
    }

    @Override
    public void writeTo(TensorSink sink) throws IOException {
        int n = (int) Math.min(CHUNK, numel);
        float[] v = new float[n];
        Arrays.fill(v, value);
        ByteBuffer one = Scratch.get(n * dtype.byteWidth());
        ElementCodec.encode(dtype, v, 0, n, one);
        one.flip();
        for (long done = 0; done < numel; done += n) {
            ByteBuffer b = one.duplicate();
            b.limit((int) Math.min(n, numel - done) * dtype.byteWidth());
            sink.write(b);
        }
    }
}
