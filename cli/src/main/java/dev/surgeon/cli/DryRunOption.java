package dev.surgeon.cli;

import picocli.CommandLine.Option;

/** --dry-run, shared by every command that writes: plan, validate and estimate, write nothing. */
public final class DryRunOption {
    @Option(names = "--dry-run",
            description = "Validate inputs and options, print the plan and estimates of peak memory, disk and time, "
                    + "and write nothing. Exit 0 if the output fits on its disk, 4 if not. Default: off.")
    boolean dryRun;

    public boolean on() {
        return dryRun;
    }
}
