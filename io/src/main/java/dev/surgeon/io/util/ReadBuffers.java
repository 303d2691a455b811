package dev.surgeon.io.util;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One reusable direct read buffer per thread for streaming tensor data. Reused so resident memory
 * stays at one chunk per reading thread however many tensors pass through.
 */
public final class ReadBuffers {
    private static final ThreadLocal<ByteBuffer> BUFFER = new ThreadLocal<>();

    private ReadBuffers() {
    }

    /** A cleared little-endian buffer with at least {@code bytes} capacity, owned by this thread. */
    public static ByteBuffer get(int bytes) {
        ByteBuffer b = BUFFER.get();
        if (b == null || b.capacity() < bytes) {
            Unmapper.release(b);
            b = ByteBuffer.allocateDirect(Math.max(bytes, 1)).order(ByteOrder.LITTLE_ENDIAN);
            BUFFER.set(b);
        }
        b.clear();
        return b;
    }
}
