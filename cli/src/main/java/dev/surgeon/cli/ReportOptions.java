package dev.surgeon.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** --json / --report: the machine-readable account of a run; --report-html: the same account as a page to look at. */
public final class ReportOptions {
    public boolean json;

    @Option(names = "--json", description = "Print the JSON report on stdout (nothing else goes to stdout). Default: off.")
    void json(boolean on) {
        json = on;
        Progress.machineRun(on); // a run read by a program shows no progress bar
    }

    @Option(names = "--report", paramLabel = "FILE", description = "Also write the JSON report to FILE. Default: none.")
    public Path report;

    @Option(names = "--report-html", paramLabel = "FILE", description = "Also write the report as one self-contained HTML page "
            + "(inline SVG charts per block, per part and of any search sweep, beside their numbers; no script, nothing fetched) "
            + "to FILE. Default: none.")
    public Path reportHtml;
}
