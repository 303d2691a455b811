package dev.surgeon.ops.exec;

/**
 * The run's worker count for the streamed parts of a plan that are not given one explicitly
 * (copies and casts of untouched tensors): set once from {@code --threads}, the CPUs otherwise.
 */
public final class Execution {
    private static volatile int threads = OrderedParallel.defaultThreads();

    private Execution() {
    }

    public static int threads() {
        return threads;
    }

    public static void threads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads " + n);
        }
        threads = n;
    }
}
