package dev.surgeon.cli;

import picocli.CommandLine.Option;

/** -q / -v, shared by every command. */
public final class LoggingOptions {
    @Option(names = {"-q", "--quiet"}, description = "Print nothing on stderr but errors and warnings. Default: off.")
    void quiet(boolean q) {
        quiet = q;
        Console.configure(quiet, verbose);
    }

    @Option(names = {"-v", "--verbose"}, description = "Debug output, and a stack trace with any error. Default: off.")
    void verbose(boolean v) {
        verbose = v;
        Console.configure(quiet, verbose);
    }

    private boolean quiet;
    private boolean verbose;
}
