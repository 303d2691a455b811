package dev.surgeon.ops.runner;

import dev.surgeon.ops.exec.Futures;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Splits a loop of the runner's Java kernels over as many threads as ND4J uses (OMP_NUM_THREADS),
 * so a thread budget covers both. The parts are fixed contiguous ranges: results do not depend on
 * scheduling.
 */
final class Parallel {
    /** The body of a loop over [from, to). */
    @FunctionalInterface
    interface Range {
        void run(int from, int to);
    }

    private static final int THREADS = Math.max(1, Nd4j.getEnvironment().maxThreads());
    private static final ExecutorService HELPERS = THREADS == 1 ? null : Executors.newFixedThreadPool(THREADS - 1, r -> {
        Thread t = new Thread(r, "surgeon-kernel");
        t.setDaemon(true);
        return t;
    });

    private Parallel() {
    }

    /** Runs {@code body} over [0, n) in up to one part per thread, the caller running the last. */
    static void forRange(int n, Range body) {
        int parts = (int) Math.min(THREADS, Math.max(1, n / 8));
        if (parts <= 1) {
            body.run(0, n);
            return;
        }
        List<Future<?>> helpers = new ArrayList<>(parts - 1);
        for (int p = 0; p < parts - 1; p++) {
            int from = (int) ((long) n * p / parts);
            int to = (int) ((long) n * (p + 1) / parts);
            helpers.add(HELPERS.submit(() -> body.run(from, to)));
        }
        body.run((int) ((long) n * (parts - 1) / parts), n);
        for (Future<?> f : helpers) {
            Futures.join(f);
        }
    }
}
