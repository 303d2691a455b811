package dev.surgeon.io.write;

import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.safetensors.SafetensorsFile;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads the inputs of the next tensors from disk while the current ones compute and write: a
 * daemon thread walks the plan's inputs in write order and has the kernel read each piece into the
 * page cache by sending it to /dev/null ({@link SafetensorsFile#readAhead}: no copy into this
 * process, no mapping, almost no CPU; touching mapped pages instead cost 1 s of CPU per 2 GB of
 * warm input, measured), staying at most {@link #WINDOW} input bytes ahead of the writer. The
 * producers' positioned reads then find the pages in memory, and the disk does not wait on the CPU.
 * Best effort: any failure just stops it; the real read reports the problem.
 * {@code -Dsurgeon.prefetch=false} turns it off (for measuring it).
 */
final class Prefetcher implements AutoCloseable {
    /**
     * Prefetch threads reading now (started, not finished, not waiting for the writer to make room):
     * while one is, the disk is busy with the run's reads and the direct writer leaves its flushes
     * to the end ({@link DirectFileWriter#FLUSH_AFTER}).
     */
    private static final AtomicInteger READING = new AtomicInteger();
    /** Input bytes read ahead of the writer at most. */
    static final long WINDOW = 512L << 20;
    private static final int PIECE = 16 << 20;

    private final List<List<TensorRef>> inputs;
    private final long window;
    private final Thread thread;
    private volatile long loaded;
    private volatile boolean finished;
    private long consumed;
    private int written;
    private volatile boolean stopped;
    private FileChannel discard;

    private Prefetcher(List<List<TensorRef>> inputs, long window) {
        this.inputs = inputs;
        this.window = window;
        this.thread = new Thread(this::run, "surgeon-prefetch");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
    }

    /** Starts reading ahead for {@code tensors} in the order they will be written; null when there is nothing to read or it is off. */
    static Prefetcher start(List<PlannedTensor> tensors) {
        if (!Boolean.parseBoolean(System.getProperty("surgeon.prefetch", "true"))) {
            return null;
        }
        return start(tensors, WINDOW);
    }

    static Prefetcher start(List<PlannedTensor> tensors, long window) {
        List<List<TensorRef>> inputs = new ArrayList<>(tensors.size());
        Set<String> seen = new HashSet<>();
        long total = 0;
        for (PlannedTensor t : tensors) {
            List<TensorRef> refs = new ArrayList<>();
            for (TensorRef r : t.content().inputs()) {
                // a tensor read by several outputs (tied weights, a base shared by groups) is read once
                if (seen.add(r.file().path() + "\0" + r.name())) {
                    refs.add(r);
                    total += r.info().byteSize();
                }
            }
            inputs.add(refs);
        }
        if (total == 0) {
            return null;
        }
        Prefetcher p = new Prefetcher(inputs, window);
        p.thread.start();
        return p;
    }

    /** The writer finished the next tensor in order. */
    synchronized void tensorWritten() {
        if (written < inputs.size()) {
            for (TensorRef r : inputs.get(written)) {
                consumed += r.info().byteSize();
            }
            written++;
        }
        notifyAll();
    }

    @Override
    public void close() {
        stopped = true;
        synchronized (this) {
            notifyAll();
        }
    }

    /** Input bytes read ahead so far (for tests). */
    long loaded() {
        return loaded;
    }

    /** True once every input was read or it stopped (for tests). */
    boolean finished() {
        return finished;
    }

    /** True while some prefetch thread is reading from the disk. */
    static boolean anyReading() {
        return READING.get() > 0;
    }

    private void run() {
        READING.incrementAndGet();
        try {
            for (List<TensorRef> refs : inputs) {
                for (TensorRef r : refs) {
                    long size = r.info().byteSize();
                    for (long off = 0; off < size && !stopped; off += PIECE) {
                        int len = (int) Math.min(PIECE, size - off);
                        if (!waitForRoom(loaded)) {
                            return;
                        }
                        load(r, off, len);
                        loaded += len;
                    }
                }
            }
        } catch (Throwable ignored) {
            // best effort: a file cut short or unmappable is reported by the read that needs it
        } finally {
            READING.decrementAndGet();
            finished = true;
            try {
                if (discard != null) {
                    discard.close();
                }
            } catch (java.io.IOException ignored) {
                // nothing was written to it
            }
        }
    }

    private synchronized boolean waitForRoom(long loaded) throws InterruptedException {
        if (!stopped && loaded - consumed > window) {
            READING.decrementAndGet();
            try {
                while (!stopped && loaded - consumed > window) {
                    wait();
                }
            } finally {
                READING.incrementAndGet();
            }
        }
        return !stopped;
    }

    private void load(TensorRef r, long off, int len) throws java.io.IOException {
        if (discard == null) {
            discard = FileChannel.open(Path.of("/dev/null"), StandardOpenOption.WRITE);
        }
        r.file().readAhead(r.info(), off, len, discard);
    }
}
