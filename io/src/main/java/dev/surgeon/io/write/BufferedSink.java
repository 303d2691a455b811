package dev.surgeon.io.write;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * Coalesces small writes into one direct buffer before they reach the channel; large writes go
 * straight through. Counts every byte so the writer can check each tensor's size.
 */
final class BufferedSink implements TensorSink {
    private final WritableByteChannel channel;
    private final ByteBuffer buffer;
    private long count;

    BufferedSink(WritableByteChannel channel, int capacity) {
        this.channel = channel;
        this.buffer = ByteBuffer.allocateDirect(capacity);
    }

    @Override
    public void write(ByteBuffer bytes) throws IOException {
        int n = bytes.remaining();
        count += n;
        if (n >= buffer.capacity() / 2) {
            flush();
            drain(bytes);
            return;
        }
        if (n > buffer.remaining()) {
            flush();
        }
        buffer.put(bytes);
    }

    void flush() throws IOException {
        buffer.flip();
        drain(buffer);
        buffer.clear();
    }

    /** Frees the direct buffer now rather than at the next GC. */
    void release() {
        dev.surgeon.io.util.Unmapper.release(buffer);
    }

    long count() {
        return count;
    }

    private void drain(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }
}
