package dev.surgeon.ops.synth;

import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.TensorContent;
import dev.surgeon.io.write.TensorSink;
import dev.surgeon.ops.content.Scratch;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A tensor of seeded uniform values in [-bound, bound], generated chunk by chunk into reused
 * buffers, so memory stays at one chunk however large the tensor. Each chunk has its own stream
 * (see {@link Prng#streamSeed}), which makes the bytes a function of seed, name and position only.
 */
public final class RandomFill implements TensorContent {
    /** Elements per chunk; part of the output's definition, since each chunk has its own stream. */
    static final int CHUNK = 1 << 20;
    private static final ThreadLocal<float[]> VALUES = ThreadLocal.withInitial(() -> new float[CHUNK]);

    private final String name;
    private final DType dtype;
    private final long numel;
    private final float bound;
    private final long seed;

    public RandomFill(String name, DType dtype, long numel, float bound, long seed) {
        this.name = name;
        this.dtype = dtype;
        this.numel = numel;
        this.bound = bound;
        this.seed = seed;
    }

    @Override
    public void writeTo(TensorSink sink) throws IOException {
        float[] v = VALUES.get();
        ByteBuffer out = Scratch.get(CHUNK * dtype.byteWidth());
        for (long chunk = 0, done = 0; done < numel; chunk++, done += CHUNK) {
            int n = (int) Math.min(CHUNK, numel - done);
            new Prng(Prng.streamSeed(seed, name, chunk)).uniform(v, n, bound);
            out.clear();
            ElementCodec.encode(dtype, v, 0, n, out);
            out.flip();
            sink.write(out);
        }
    }
}
