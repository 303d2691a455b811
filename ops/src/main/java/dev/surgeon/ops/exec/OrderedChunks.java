package dev.surgeon.ops.exec;

import dev.surgeon.io.util.BufferPool;
import dev.surgeon.io.write.TensorSink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Streams one output tensor chunk by chunk: each chunk's bytes are produced straight into a pooled
 * direct buffer, which is handed to the sink as it is (no copy on the way to the file) and comes
 * back to the pool once written. With {@code threads} &gt; 1 the chunks are produced on that many
 * shared workers ({@link Workers}), at most 2 × threads in flight, and handed over in element
 * order: the bytes do not depend on the thread count, and memory is a few chunks per thread
 * whatever the tensor's size.
 */
public final class OrderedChunks {
    private OrderedChunks() {
    }

    /** Writes the bytes of elements {@code [first, first + n)} at {@code dst}'s position (thread-safe). */
    @FunctionalInterface
    public interface Producer {
        void fill(long first, int n, ByteBuffer dst);
    }

    /**
     * Writes {@code total} elements of {@code width} bytes in chunks of {@code chunk} elements.
     * After a failure the chunks not started are cancelled and the running ones waited for, never
     * interrupted (an interrupted read would close the input file's channel for everyone).
     */
    public static void write(TensorSink sink, long total, int chunk, int width, int threads, Producer producer) throws IOException {
        int step = (int) Math.max(1, Math.min(chunk, total));
        long chunks = (total + step - 1) / step;
        int bytes = Math.multiplyExact(step, width);
        if (threads <= 1 || chunks <= 1) {
            for (long first = 0; first < total; first += step) {
                int n = (int) Math.min(step, total - first);
                hand(sink, produce(producer, first, n, bytes));
            }
            return;
        }
        ExecutorService pool = Workers.shared(threads);
        int window = 2 * threads;
        ArrayDeque<Future<ByteBuffer>> inflight = new ArrayDeque<>(window);
        long next = 0;
        try {
            while (next < chunks || !inflight.isEmpty()) {
                while (next < chunks && inflight.size() < window) {
                    long first = next * step;
                    int n = (int) Math.min(step, total - first);
                    inflight.add(pool.submit(() -> produce(producer, first, n, bytes)));
                    next++;
                }
                ByteBuffer done = Futures.await(inflight.poll(), "computing a tensor");
                hand(sink, done);
            }
        } catch (IOException | RuntimeException | Error e) {
            drain(inflight);
            throw e;
        }
    }

    private static ByteBuffer produce(Producer producer, long first, int n, int bytes) {
        ByteBuffer dst = BufferPool.SHARED.take(bytes);
        try {
            producer.fill(first, n, dst);
        } catch (RuntimeException | Error e) {
            BufferPool.SHARED.give(dst);
            throw e;
        }
        dst.flip();
        return dst;
    }

    private static void hand(TensorSink sink, ByteBuffer b) throws IOException {
        sink.handOver(b, () -> BufferPool.SHARED.give(b));
    }

    private static void drain(ArrayDeque<Future<ByteBuffer>> inflight) {
        for (Future<ByteBuffer> f : inflight) {
            f.cancel(false);
        }
        for (Future<ByteBuffer> f : inflight) {
            if (!f.isCancelled()) {
                try {
                    BufferPool.SHARED.give(f.get());
                } catch (Exception ignored) {
                    // the first failure is the one reported
                }
            }
        }
        inflight.clear();
    }
}
