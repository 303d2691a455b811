package dev.surgeon.ops.exec;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One shared pool of daemon worker threads for chunk-parallel kernels, kept for the whole run so
 * that each worker's reused scratch buffers survive from tensor to tensor. Asking for another size
 * replaces the pool (the old one finishes its queued work and ends).
 */
public final class Workers {
    private static ExecutorService pool;
    private static int size;

    private Workers() {
    }

    /** A pool of exactly {@code threads} daemon threads. */
    public static synchronized ExecutorService shared(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads " + threads);
        }
        if (pool == null || size != threads) {
            if (pool != null) {
                pool.shutdown();
            }
            AtomicInteger id = new AtomicInteger();
            pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "surgeon-chunk-" + id.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            size = threads;
        }
        return pool;
    }
}
