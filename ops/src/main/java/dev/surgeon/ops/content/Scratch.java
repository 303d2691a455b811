package dev.surgeon.ops.content;

import dev.surgeon.io.util.Unmapper;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One reusable direct buffer per thread. Allocating a fresh direct buffer per tensor costs a page
 * zeroing each time and, since they are only freed by the GC, lets resident memory grow with the
 * number of tensors; reuse keeps it at one chunk per thread.
 */
public final class Scratch {
    private static final ThreadLocal<ByteBuffer> BUFFER = new ThreadLocal<>();

    private Scratch() {
    }

    /** A cleared little-endian buffer of at least {@code bytes}, owned by the calling thread. */
    public static ByteBuffer get(int bytes) {
        ByteBuffer b = BUFFER.get();
        if (b == null || b.capacity() < bytes) {
            Unmapper.release(b);
            b = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
            BUFFER.set(b);
        }
        b.clear();
        return b;
    }
}
