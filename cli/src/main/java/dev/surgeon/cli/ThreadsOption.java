package dev.surgeon.cli;

import dev.surgeon.io.error.UsageException;
import dev.surgeon.ops.exec.Execution;
import dev.surgeon.ops.exec.OrderedParallel;
import picocli.CommandLine.Option;

/** --threads, shared by the commands that work on several tensors or files at once. */
public final class ThreadsOption {
    @Option(names = "--threads", paramLabel = "N",
            description = "Worker threads. Default: the number of CPUs (${DEFAULT-VALUE} here).")
    int threads = OrderedParallel.defaultThreads();

    /** The validated count, also made the run's count for streamed copies and casts ({@link Execution}). */
    public int get() {
        if (threads < 1) {
            throw new UsageException("--threads must be at least 1, not " + threads);
        }
        Execution.threads(threads);
        return threads;
    }
}
