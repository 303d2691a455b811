package dev.surgeon.cli;

import dev.surgeon.io.error.UsageException;
import picocli.CommandLine.Option;

/** How much data a --search evaluates each candidate on (scale and average). */
public final class SearchWindows {
    @Option(names = "--seq-len", paramLabel = "T", description = "--search: predicted tokens per window. Default: ${DEFAULT-VALUE}.")
    int seqLen = 128;

    @Option(names = "--max-windows", paramLabel = "N",
            description = "--search: at most N evenly spaced windows of each data file (or N sampled sequences), "
                    + "to bound the cost. Default: ${DEFAULT-VALUE}.")
    int maxWindows = 64;

    /** Tokens predicted per window, validated. */
    public int seqLen() {
        if (seqLen < 1) {
            throw new UsageException("--seq-len must be at least 1, not " + seqLen);
        }
        return seqLen;
    }

    /** Windows (or sampled sequences) per candidate, validated. */
    public int maxWindows() {
        if (maxWindows < 1) {
            throw new UsageException("--max-windows must be at least 1, not " + maxWindows);
        }
        return maxWindows;
    }
}
