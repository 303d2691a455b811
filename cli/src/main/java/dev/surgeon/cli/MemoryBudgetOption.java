package dev.surgeon.cli;

import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.util.ByteSize;
import dev.surgeon.ops.exec.MemoryBudget;
import picocli.CommandLine.Option;

/** --memory-budget, shared by the commands that compute tensors ahead of the writer. */
public final class MemoryBudgetOption {
    /** Below this a run could not hold its own streaming buffers; a smaller budget is a typo. */
    private static final long MINIMUM = 16L << 20;

    @Option(names = "--memory-budget", paramLabel = "SIZE",
            description = "Most memory for tensors computed ahead of the writer (suffixes K, M, G; e.g. 2G): with more "
                    + "threads, work waits for room rather than exceed it; a tensor larger than the budget runs alone. "
                    + "Streaming buffers (a few MiB per thread) and the JVM itself come on top. The JVM's heap caps it "
                    + "(JAVA_OPTS=-Xmx...). Default: half the machine's memory, at most the heap less 256 MiB.")
    String budget; // null: the machine's default, computed only when a run needs it (not for --help)

    /** Validates the option and makes it this run's budget; returns the bytes. */
    public long apply() {
        long bytes = budget == null ? MemoryBudget.defaultBytes() : ByteSize.parse(budget);
        if (bytes < MINIMUM) {
            throw new UsageException("--memory-budget must be at least " + ByteSize.format(MINIMUM) + ", not " + budget);
        }
        MemoryBudget.configure(bytes);
        return bytes;
    }
}
