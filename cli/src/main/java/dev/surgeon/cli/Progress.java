package dev.surgeon.cli;

/**
 * Step counters (sampling, calibration) as a {@link ProgressBar} on stderr, shown only when
 * stderr is a terminal and not with -q or --json, so logs and pipes get no carriage returns.
 */
public final class Progress {
    private static ProgressBar current;

    private Progress() {
    }

    private static volatile boolean machineRun;

    /** Set by --json: the run's output is read by a program. */
    static void machineRun(boolean on) {
        machineRun = on;
    }

    /** Whether a run should show progress: stderr a terminal, not quiet, not --json. */
    public static boolean wanted(ReportOptions report) {
        return Terminal.stderrIsTerminal() && !Console.quiet() && !machineRun && (report == null || !report.json);
    }

    /** {@code command: what [bar] done/of unit rate ETA}, in place. */
    public static synchronized void line(boolean show, String command, String what, long done, long of, String unit) {
        if (!show) {
            return;
        }
        String label = command + ": " + what;
        if (current == null || !current.label().equals(label)) {
            if (current != null) {
                current.finish();
            }
            current = ProgressBar.create(label, true);
        }
        current.steps(done, of, unit);
    }

    /** Ends the bar after the last {@link #line}. */
    public static synchronized void end(boolean show) {
        if (current != null) {
            current.finish();
            current = null;
        }
    }
}
