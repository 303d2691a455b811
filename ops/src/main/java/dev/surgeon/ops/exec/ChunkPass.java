package dev.surgeon.ops.exec;

import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.util.Unmapper;
import dev.surgeon.ops.align.TensorGroup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A read-only pass over aligned tensors for whole-model statistics (thresholds, norms, sign counts):
 * every tensor is cut into chunks of {@link #CHUNK} elements, and the chunks of all tensors are read,
 * decoded to F32 and visited on up to {@code threads} workers, so one large tensor (an embedding)
 * keeps every worker busy. Each worker reads into its own reused buffers: memory is a few chunks per
 * worker, whatever the model's size, and no garbage per tensor. Results come back in (tensor, chunk)
 * order, so sums folded from them do not depend on the thread count.
 */
public final class ChunkPass {
    /** Elements per chunk: 256 Ki (1 MiB of floats per input). */
    public static final int CHUNK = 1 << 18;

    private static final ThreadLocal<Scratch> SCRATCH = new ThreadLocal<>();

    private ChunkPass() {
    }

    /** Receives elements {@code first..first+n} of every input of {@code group}: {@code in[k][0..n)} (reused after it returns). */
    @FunctionalInterface
    public interface Visitor<R> {
        R visit(TensorGroup group, float[][] in, int n, long first);
    }

    /** One chunk's result with the tensor it came from. */
    public record Result<R>(TensorGroup group, long first, R value) {
    }

    private record Chunk(TensorGroup group, long first, int n) {
    }

    /** Visits every chunk of {@code groups}; results in (group, chunk) order. */
    public static <R> List<Result<R>> map(List<TensorGroup> groups, int threads, Visitor<R> visitor) {
        List<Chunk> chunks = new ArrayList<>();
        for (TensorGroup g : groups) {
            long total = g.numel();
            for (long first = 0; first < total; first += CHUNK) {
                chunks.add(new Chunk(g, first, (int) Math.min(CHUNK, total - first)));
            }
        }
        return OrderedParallel.map(chunks, threads, c -> {
            float[][] in = read(c.group(), c.first(), c.n());
            return new Result<>(c.group(), c.first(), visitor.visit(c.group(), in, c.n(), c.first()));
        });
    }

    private static float[][] read(TensorGroup group, long first, int n) {
        List<TensorRef> refs = group.inputs();
        Scratch s = SCRATCH.get();
        if (s == null || s.in.length != refs.size()) {
            s = new Scratch(refs.size());
            SCRATCH.set(s);
        }
        for (int k = 0; k < refs.size(); k++) {
            TensorRef ref = refs.get(k);
            DType dt = ref.info().dtype();
            int width = dt.byteWidth();
            ByteBuffer b = s.buffer(CHUNK * 8);
            b.limit(n * width);
            ref.file().read(ref.info(), first * width, b);
            b.flip();
            ElementCodec.decode(dt, b, s.in[k], 0, n);
        }
        return s.in;
    }

    /** One worker's decoded inputs and direct read buffer. */
    private static final class Scratch {
        final float[][] in;
        private ByteBuffer read;

        Scratch(int inputs) {
            this.in = new float[inputs][CHUNK];
        }

        ByteBuffer buffer(int bytes) {
            if (read == null || read.capacity() < bytes) {
                Unmapper.release(read);
                read = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
            }
            read.clear();
            return read;
        }
    }
}
