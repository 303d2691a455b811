package dev.surgeon.ops.exec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Maps a list on up to {@code threads} worker threads and returns the results in input order, so a
 * report built from them does not depend on scheduling. Each item is processed by one thread from
 * start to end (per-item sums keep their sequential order). The first failure is rethrown as it was
 * thrown (a SurgeonException keeps its exit code); workers are daemon threads, so Ctrl-C still exits.
 */
public final class OrderedParallel {
    private OrderedParallel() {
    }

    /** Worker count when the user gives none: the CPUs this JVM may use. */
    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    public static <T, R> List<R> map(List<T> items, int threads, Function<T, R> fn) {
        int n = Math.max(1, Math.min(threads, items.size()));
        if (n == 1) {
            List<R> out = new ArrayList<>(items.size());
            for (T t : items) {
                out.add(fn.apply(t));
            }
            return out;
        }
        AtomicInteger id = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "surgeon-worker-" + id.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<R>> futures = new ArrayList<>(items.size());
            for (T t : items) {
                futures.add(pool.submit(() -> fn.apply(t)));
            }
            List<R> out = new ArrayList<>(items.size());
            for (Future<R> f : futures) {
                out.add(Futures.join(f));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
