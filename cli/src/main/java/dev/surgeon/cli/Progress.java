package dev.surgeon.cli;

/**
 * A one-line progress counter on stderr, rewritten in place; shown only when stderr is a terminal
 * (and not with -q or --json), so logs and pipes get no carriage returns.
 */
public final class Progress {
    private Progress() {
    }

    /** Whether a run should show progress: a terminal, not quiet, not --json. */
    public static boolean wanted(ReportOptions report) {
        return System.console() != null && !Console.quiet() && (report == null || !report.json);
    }

    /** {@code command: what done/of unit}, in place. */
    public static void line(boolean show, String command, String what, long done, long of, String unit) {
        if (show) {
            System.err.print("\r" + command + ": " + what + " " + done + "/" + of + " " + unit);
            System.err.flush();
        }
    }

    /** Ends the line after the last {@link #line}. */
    public static void end(boolean show) {
        if (show) {
            System.err.println();
        }
    }
}
