package dev.surgeon.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** -q / -v / --config, shared by every command. */
public final class LoggingOptions {
    @Option(names = {"-q", "--quiet"}, description = "Print nothing on stderr but errors and warnings (no progress bar). Default: off.")
    void quiet(boolean q) {
        quiet = q;
        Console.configure(quiet, verbose);
    }

    @Option(names = {"-v", "--verbose"}, description = "Debug output (the config file read, the effective options), "
            + "and a stack trace with any error. Default: off.")
    void verbose(boolean v) {
        verbose = v;
        Console.configure(quiet, verbose);
    }

    /**
     * Read by {@link Main} before parsing (the file's values become picocli default values); the
     * option is declared here so that every command, nested ones too, accepts it and lists it in --help.
     */
    @Option(names = "--config", paramLabel = "FILE",
            description = "Take options from a JSON (.json) or YAML (.yaml, .yml) file: keys are the long option names "
                    + "without dashes (ratio: 0.2, force: true) and the positional parameters' labels in lower case "
                    + "(model, base, ft: [a, b]); flags on the command line override it, and every on/off flag has a negative "
                    + "form to turn off one the file turns on (--no-force; --card for --no-card); unknown keys are an error "
                    + "(exit 2). "
                    + "Default: none.")
    Path config;

    private boolean quiet;
    private boolean verbose;
}
