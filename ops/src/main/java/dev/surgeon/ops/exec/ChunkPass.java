package dev.surgeon.ops.exec;

import dev.surgeon.ops.align.TensorGroup;

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
    /** Elements per chunk, as the write pass uses. */
    public static final int CHUNK = ChunkDecoder.CHUNK;

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
        return sample(groups, threads, 1, visitor);
    }

    /**
     * Visits ⌈c / every⌉ consecutive elements of every chunk (c elements) of {@code groups}, at a
     * {@link #sampleStart} that cycles through the chunk's 1/every parts from chunk to chunk: a sample
     * of about 1/every of each tensor, spread over all of it (its rows and its columns' phases), that
     * costs about 1/every of a pass. {@code every = 1} is {@link #map}. Results in (group, chunk) order.
     */
    public static <R> List<Result<R>> sample(List<TensorGroup> groups, int threads, int every, Visitor<R> visitor) {
        List<Chunk> chunks = new ArrayList<>();
        for (TensorGroup g : groups) {
            long total = g.numel();
            int index = 0;
            for (long first = 0; first < total; first += CHUNK, index++) {
                int n = (int) Math.min(CHUNK, total - first);
                chunks.add(new Chunk(g, first + sampleStart(index, n, every), sampled(n, every)));
            }
        }
        return OrderedParallel.map(chunks, threads, c -> {
            float[][] in = ChunkDecoder.local(c.group().inputs().size()).read(c.group(), c.first(), c.n());
            return new Result<>(c.group(), c.first(), visitor.visit(c.group(), in, c.n(), c.first()));
        });
    }

    /** How many elements {@link #sample} visits over {@code groups}. */
    public static long sampleSize(List<TensorGroup> groups, int every) {
        long m = 0;
        for (TensorGroup g : groups) {
            for (long first = 0; first < g.numel(); first += CHUNK) {
                m += sampled((int) Math.min(CHUNK, g.numel() - first), every);
            }
        }
        return m;
    }

    /** Where {@link #sample}'s elements start in chunk number {@code index} (of n elements) of a tensor. */
    public static int sampleStart(int index, int n, int every) {
        int s = sampled(n, every);
        return (int) Math.min((long) (index % every) * s, n - s);
    }

    /** The elements {@link #sample} visits of a chunk of {@code n}: ⌈n / every⌉. */
    public static int sampled(int n, int every) {
        return (int) ((n + (long) every - 1) / every);
    }
}
