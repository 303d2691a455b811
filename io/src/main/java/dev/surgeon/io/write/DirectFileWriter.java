package dev.surgeon.io.write;

import com.sun.nio.file.ExtendedOpenOption;
import dev.surgeon.io.util.Unmapper;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Writes a large output file with O_DIRECT: bytes are gathered into block-aligned buffers that
 * the disk takes straight from this process, on an I/O thread of their own, so the caller's thread
 * goes on (hashing, gathering) while the disk writes. Through the page cache, the kernel's copy of
 * every byte into fresh cache pages and their write-back cost about 1.5 s of CPU per GB on the
 * 2-core development machine (dd: 3 GB, 3.5-5.4 s of system time buffered against 0.8 s direct),
 * a fifth of a 3B BF16 scale's CPU samples (perf). The last partial block is written padded with
 * zeros and the file cut back to its length. The caller fsyncs the file as before (metadata and the cut).
 * {@code -Dsurgeon.direct-io=false} turns it off.
 */
final class DirectFileWriter implements WritableByteChannel {
    /** Outputs smaller than this go through the page cache: a few synchronous writes gain nothing. */
    static final long MIN_SIZE = 64L << 20;
    /**
     * Bytes per write. Large writes keep several requests in flight on the device: `dd` with
     * O_DIRECT here wrote 3 GB in 8.3-9.7 s in 8 MiB blocks, 5.0-6.3 s in 32 MiB, 3.4-4.1 s in 64 MiB;
     * 32 MiB keeps the memory for two of them modest.
     */
    static final int BUFFER = 32 << 20;
    private static final ByteBuffer END = ByteBuffer.allocate(0);
    /**
     * Written bytes not yet flushed after which the I/O thread, finding no buffer to write, asks
     * the disk to make them durable (fdatasync) while the producers compute. O_DIRECT bytes skip
     * the page cache but may sit in the device's volatile cache: the final fsync of a 1 GB output
     * took 1.3 s on the development machine's virtual disk with the CPUs idle (strace), after a run
     * whose writes had left the disk idle half of the time. Flushing only when no buffer waits
     * never delays a write that is ready, and not while the prefetcher is still reading inputs
     * ({@link Prefetcher#anyReading}): flushes then compete with the reads the run waits for (cold
     * 1B scale, alternating: 14.5-20.2 s flushing so, 13.6-15.6 s not). A run the disk limits
     * thus flushes as before, at the end.
     */
    static final long FLUSH_AFTER = 64L << 20;
    /** {@code -Dsurgeon.idle-flush=false} leaves every flush to the final fsync (for measuring it). */
    private static final boolean IDLE_FLUSH = !"false".equals(System.getProperty("surgeon.idle-flush"));
    /** {@code -Dsurgeon.direct-io=false} writes through the page cache always. */
    private static final boolean ENABLED = !"false".equals(System.getProperty("surgeon.direct-io"));

    private final FileChannel channel;
    private final int align;
    private final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(2);
    private final BlockingQueue<ByteBuffer> full = new ArrayBlockingQueue<>(3);
    /** The allocations the aligned buffers are cut from, freed at close. */
    private final ByteBuffer[] allocated = new ByteBuffer[2];
    private final Thread io;
    private ByteBuffer current;
    private long length;
    private volatile IOException failure;
    private volatile int flushes;
    private boolean closed;

    private DirectFileWriter(FileChannel channel, int align) {
        this.channel = channel;
        this.align = align;
        for (int i = 0; i < allocated.length; i++) {
            allocated[i] = ByteBuffer.allocateDirect(BUFFER + align);
            free.add(allocated[i].alignedSlice(align).limit(BUFFER).slice());
        }
        io = new Thread(this::ioLoop, "surgeon-direct-io");
        io.setDaemon(true);
        io.start();
    }

    /**
     * A direct writer for {@code file} (created, empty) when it will hold at least {@code minSize}
     * bytes and its file system takes O_DIRECT; null otherwise (tmpfs refuses it, for one), and the
     * caller writes through the page cache.
     */
    static DirectFileWriter open(Path file, long size, long minSize) {
        if (size < minSize || !ENABLED) {
            return null;
        }
        int align = 4096;
        try {
            align = (int) Math.max(align, Math.min(1 << 20, Files.getFileStore(file).getBlockSize()));
        } catch (IOException | UnsupportedOperationException e) {
            // keep 4 KiB, the page size, which every block size divides
        }
        try {
            return new DirectFileWriter(FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT), align);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        check();
        int n = src.remaining();
        while (src.hasRemaining()) {
            if (current == null) {
                current = take(free);
            }
            int k = Math.min(current.remaining(), src.remaining());
            ByteBuffer part = src.slice();
            part.limit(k);
            current.put(part);
            src.position(src.position() + k);
            if (!current.hasRemaining()) {
                current.flip();
                put(current);
                current = null;
            }
        }
        length += n;
        return n;
    }

    /**
     * Writes what is gathered (the last block padded), cuts the file to the bytes written and
     * closes; throws the first write failure. After a failure elsewhere, call {@link #close} instead.
     */
    void finish() throws IOException {
        check();
        if (current != null && current.position() > 0) {
            int used = current.position();
            int padded = (used + align - 1) / align * align;
            while (current.position() < padded) {
                current.put((byte) 0);
            }
            current.flip();
            put(current);
            current = null;
        }
        put(END);
        join();
        check();
        channel.truncate(length);
        close();
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    /** Stops the I/O thread (pending buffers are dropped) and closes the file. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        io.interrupt();
        try {
            io.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ByteBuffer b : allocated) {
            Unmapper.release(b);
        }
        channel.close();
    }

    /** Flushes the I/O thread made while idle (for tests). */
    int flushes() {
        return flushes;
    }

    private void ioLoop() {
        long position = 0;
        long unflushed = 0;
        try {
            while (true) {
                ByteBuffer b = full.poll();
                if (b == null && IDLE_FLUSH && unflushed >= FLUSH_AFTER && failure == null && !Prefetcher.anyReading()) {
                    unflushed = 0;
                    try {
                        channel.force(false);
                        flushes++;
                    } catch (IOException e) {
                        failure = e;
                    }
                    continue;
                }
                if (b == null) {
                    b = full.take();
                }
                if (b == END) {
                    return;
                }
                try {
                    while (failure == null && b.hasRemaining()) {
                        int n = channel.write(b, position);
                        position += n;
                        unflushed += n;
                    }
                } catch (IOException e) {
                    failure = e;
                }
                b.clear();
                free.add(b);
            }
        } catch (InterruptedException e) {
            if (failure == null) {
                failure = new InterruptedIOException("write interrupted");
            }
        }
    }

    private void check() throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        if (failure != null) {
            throw failure;
        }
    }

    private ByteBuffer take(BlockingQueue<ByteBuffer> q) throws IOException {
        try {
            ByteBuffer b;
            while ((b = q.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS)) == null) {
                check(); // the I/O thread failed and will not give buffers back
            }
            return b;
        } catch (InterruptedException e) {
            throw Blocking.interrupted();
        }
    }

    private void put(ByteBuffer b) throws IOException {
        Blocking.put(full, b);
    }

    private void join() throws IOException {
        Blocking.join(io);
    }
}
