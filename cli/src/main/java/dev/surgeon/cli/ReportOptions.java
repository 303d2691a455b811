package dev.surgeon.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** --json / --report: the machine-readable account of a run. */
public final class ReportOptions {
    @Option(names = "--json", description = "Print the JSON report on stdout (nothing else goes to stdout). Default: off.")
    public boolean json;

    @Option(names = "--report", paramLabel = "FILE", description = "Also write the JSON report to FILE. Default: none.")
    public Path report;
}
