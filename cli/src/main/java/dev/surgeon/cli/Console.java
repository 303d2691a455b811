package dev.surgeon.cli;

import java.io.PrintStream;

/**
 * Human-facing messages on stderr: notes (silenced by -q), warnings (always, one line each) and
 * debug lines (only with -v). stdout is kept for results and --json.
 */
public final class Console {
    private static volatile int level = 1; // 0 quiet, 1 normal, 2 verbose

    private Console() {
    }

    public static void configure(boolean quiet, boolean verbose) {
        level = verbose ? 2 : quiet ? 0 : 1;
    }

    public static boolean verbose() {
        return level >= 2;
    }

    public static boolean quiet() {
        return level == 0;
    }

    public static void note(String s) {
        if (level >= 1) {
            line(s);
        }
    }

    /** Yellow "warning" on a terminal unless NO_COLOR is set. */
    public static void warn(String s) {
        line(Terminal.color() ? "surgeon: " + YELLOW + "warning" + RESET + ": " + s : "surgeon: warning: " + s);
    }

    public static void debug(String s) {
        if (level >= 2) {
            line("surgeon: debug: " + s);
        }
    }

    /** A whole line on stderr: a progress bar being drawn is erased first and redrawn by its next update. */
    private static void line(String s) {
        ProgressBar.suspendActive();
        err().println(s);
    }

    private static final String YELLOW = "\033[33m";
    private static final String RESET = "\033[0m";

    private static PrintStream err() {
        return System.err;
    }
}
