package dev.surgeon.io.write;

import dev.surgeon.io.digest.Sha256;
import dev.surgeon.io.util.Unmapper;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A sink that hands full buffers to a writer thread, so producing the next bytes (reading mapped
 * input, casting, arithmetic) overlaps the write system calls of the previous ones. A few fixed
 * direct buffers bound its memory; a write failure surfaces on the producer's next call. The
 * writer thread also hashes the bytes (SHA-256), so an output's digest costs no second read.
 */
final class PipelinedSink implements TensorSink {
    private static final int BUFFERS = 3;
    private static final ByteBuffer END = ByteBuffer.allocate(0);

    private final WritableByteChannel channel;
    /** Updated on the writer thread with each buffer just before it is written: no re-read. */
    private final MessageDigest digest = Sha256.newDigest();
    private final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(BUFFERS);
    private final BlockingQueue<ByteBuffer> full = new ArrayBlockingQueue<>(BUFFERS + 1);
    private final List<ByteBuffer> all = new ArrayList<>();
    private final Thread writer;
    private volatile IOException failure;
    private ByteBuffer current;
    private long count;
    private long unsynced;
    /**
     * Flush to disk every this many bytes, from the writer thread: the disk then works while the
     * producer goes on, instead of all at once in the final fsync (measured: 0.25B-parameter
     * convert 1.8-2.6 s → 1.4-2.2 s on a cold cache).
     */
    private static final long SYNC_EVERY = 128L << 20;

    PipelinedSink(WritableByteChannel channel, int bufferBytes) {
        this.channel = channel;
        for (int i = 0; i < BUFFERS; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(bufferBytes);
            all.add(b);
            free.add(b);
        }
        writer = new Thread(this::drainLoop, "surgeon-writer");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void write(ByteBuffer bytes) throws IOException {
        count += bytes.remaining();
        while (bytes.hasRemaining()) {
            if (current == null) {
                current = take(free);
            }
            int n = Math.min(current.remaining(), bytes.remaining());
            ByteBuffer part = bytes.slice();
            part.limit(n);
            current.put(part);
            bytes.position(bytes.position() + n);
            if (!current.hasRemaining()) {
                submit();
            }
        }
    }

    long count() {
        return count;
    }

    /** The SHA-256 of every byte written; only after {@link #finish}. */
    String sha256() {
        return Sha256.hex(digest.digest());
    }

    /** Writes out everything handed over so far and stops the writer thread. */
    void finish() throws IOException {
        if (current != null && current.position() > 0) {
            submit();
        }
        put(END);
        join();
        release();
        if (failure != null) {
            throw failure;
        }
    }

    /** Stops the writer thread without waiting for pending bytes; for failure paths. */
    void abort() {
        writer.interrupt();
        try {
            join();
        } catch (IOException ignored) {
            // already failing
        }
        release();
    }

    private void submit() throws IOException {
        if (failure != null) {
            throw failure;
        }
        current.flip();
        put(current);
        current = null;
    }

    private void drainLoop() {
        try {
            while (true) {
                ByteBuffer b = full.take();
                if (b == END) {
                    return;
                }
                if (failure == null) {
                    try {
                        digest.update(b.duplicate());
                        while (b.hasRemaining()) {
                            unsynced += channel.write(b);
                        }
                        if (unsynced >= SYNC_EVERY && channel instanceof java.nio.channels.FileChannel fc) {
                            fc.force(false);
                            unsynced = 0;
                        }
                    } catch (IOException e) {
                        failure = e;
                    }
                }
                b.clear();
                free.put(b);
            }
        } catch (InterruptedException e) {
            if (failure == null) {
                failure = new InterruptedIOException("write interrupted");
            }
        }
    }

    private ByteBuffer take(BlockingQueue<ByteBuffer> q) throws IOException {
        try {
            return q.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing");
        }
    }

    private void put(ByteBuffer b) throws IOException {
        try {
            full.put(b);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing");
        }
    }

    private void join() throws IOException {
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing");
        }
    }

    private void release() {
        if (!writer.isAlive()) {
            all.forEach(Unmapper::release);
            all.clear();
        }
    }
}
