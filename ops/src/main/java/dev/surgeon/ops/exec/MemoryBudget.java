package dev.surgeon.ops.exec;

import java.lang.management.ManagementFactory;

/**
 * The bytes a run may hold at once in tensors computed ahead of the writer (a pruned tensor in F32
 * with its output buffer, ...). Work that would exceed it waits until earlier work is written, so
 * more threads never mean more memory than the budget; one piece of work larger than the whole
 * budget runs alone. Fixed-size streaming buffers (a few chunks per thread) are outside it.
 * Process-wide, like the worker pool; set once per run from {@code --memory-budget}.
 */
public final class MemoryBudget {
    /** Kept free of the heap for everything else the JVM holds (plans, reports, scratch arrays). */
    private static final long HEAP_RESERVE = 256L << 20;

    private static long limit = defaultBytes();
    private static long held;
    private static long peak;

    private MemoryBudget() {
    }

    /**
     * Half of the machine's memory (the container's limit where there is one), and no more than the
     * JVM's heap less {@value #HEAP_RESERVE} bytes, since the buffers live on the heap.
     */
    public static long defaultBytes() {
        long machine = physicalBytes();
        long heap = Runtime.getRuntime().maxMemory() - HEAP_RESERVE;
        long half = machine > 0 ? machine / 2 : heap;
        return Math.max(64L << 20, Math.min(half, heap));
    }

    /** The machine's memory as the JVM sees it (container-aware), or 0 when unknown. */
    static long physicalBytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 0;
    }

    public static synchronized void configure(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("budget " + bytes);
        }
        limit = bytes;
        peak = held;
    }

    public static synchronized long limit() {
        return limit;
    }

    /** Bytes held now (for tests and reports). */
    public static synchronized long held() {
        return held;
    }

    /** The most bytes held at once since the last {@link #configure} (for tests and reports). */
    public static synchronized long peak() {
        return peak;
    }

    /** Takes {@code bytes} if they fit now (or nothing is held and they are over the whole budget); null otherwise. */
    public static synchronized Lease tryAcquire(long bytes) {
        if (!fits(bytes)) {
            return null;
        }
        return take(bytes);
    }

    /** Takes {@code bytes}, waiting until they fit. */
    public static synchronized Lease acquire(long bytes) throws InterruptedException {
        while (!fits(bytes)) {
            MemoryBudget.class.wait();
        }
        return take(bytes);
    }

    private static Lease take(long bytes) {
        held += bytes;
        peak = Math.max(peak, held);
        return new Lease(bytes);
    }

    private static boolean fits(long bytes) {
        return held + bytes <= limit || held == 0;
    }

    private static synchronized void give(long bytes) {
        held -= bytes;
        MemoryBudget.class.notifyAll();
    }

    /** Bytes taken from the budget; closing gives them back (once). */
    public static final class Lease implements AutoCloseable {
        private long bytes;

        private Lease(long bytes) {
            this.bytes = bytes;
        }

        @Override
        public void close() {
            long b;
            synchronized (this) {
                b = bytes;
                bytes = 0;
            }
            if (b > 0) {
                give(b);
            }
        }
    }
}
