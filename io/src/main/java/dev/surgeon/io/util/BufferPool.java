package dev.surgeon.io.util;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Direct little-endian buffers reused from tensor to tensor, in power-of-two size classes. A
 * streaming pass takes one per chunk in flight and gives it back once the writer has written it,
 * so the pool holds as many buffers as were ever in flight at once (a few per thread), whatever the
 * model's size, and allocates nothing per tensor. Thread-safe.
 */
public final class BufferPool {
    /** The pool of the streaming write pass. */
    public static final BufferPool SHARED = new BufferPool();

    private final ConcurrentHashMap<Integer, ConcurrentLinkedQueue<ByteBuffer>> free = new ConcurrentHashMap<>();

    /** A cleared buffer of at least {@code bytes} (limit = capacity). */
    public ByteBuffer take(int bytes) {
        int size = sizeClass(bytes);
        ByteBuffer b = queue(size).poll();
        if (b == null) {
            b = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
        }
        b.clear();
        return b;
    }

    /** Returns a buffer taken from this pool; it must not be used after. */
    public void give(ByteBuffer b) {
        queue(b.capacity()).add(b);
    }

    /** Buffers now idle in the pool (for tests). */
    public int idle() {
        return free.values().stream().mapToInt(ConcurrentLinkedQueue::size).sum();
    }

    private ConcurrentLinkedQueue<ByteBuffer> queue(int size) {
        return free.computeIfAbsent(size, s -> new ConcurrentLinkedQueue<>());
    }

    private static int sizeClass(int bytes) {
        if (bytes > 1 << 30) {
            return bytes;
        }
        int b = Math.max(bytes, 4096);
        int p = Integer.highestOneBit(b);
        return p == b ? b : p << 1;
    }
}
