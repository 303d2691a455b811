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
            err().println(s);
        }
    }

    public static void warn(String s) {
        err().println("surgeon: warning: " + s);
    }

    public static void debug(String s) {
        if (level >= 2) {
            err().println("surgeon: debug: " + s);
        }
    }

    private static PrintStream err() {
        return System.err;
    }
}
