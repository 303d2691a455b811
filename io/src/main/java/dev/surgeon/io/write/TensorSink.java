package dev.surgeon.io.write;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Where a tensor's bytes go, in order. Little-endian element bytes, as the format stores them. */
@FunctionalInterface
public interface TensorSink {
    /** Writes all remaining bytes of {@code bytes}, advancing its position to its limit. */
    void write(ByteBuffer bytes) throws IOException;

    /**
     * Hands over a filled buffer: the sink writes its remaining bytes after those written before and
     * runs {@code done} once it no longer needs the buffer (possibly on another thread, possibly
     * before this returns). A producer that fills its own direct buffers uses this so the bytes are
     * not copied again on their way to the file. By default they are copied, as {@link #write} does.
     */
    default void handOver(ByteBuffer bytes, Runnable done) throws IOException {
        try {
            write(bytes);
        } finally {
            done.run();
        }
    }
}
