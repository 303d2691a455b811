package dev.surgeon.cli;

import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.error.IoFailureException;
import dev.surgeon.io.error.NumericGuardException;
import dev.surgeon.io.error.UsageException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The one place where failures become exit codes (DESIGN.md, "Exit codes"). */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int UNEXPECTED = 1;
    public static final int USAGE = 2;
    public static final int INVALID_INPUT = 3;
    public static final int IO_FAILURE = 4;
    public static final int NUMERIC_GUARD = 5;
    /** What the JVM itself exits with after running shutdown hooks on SIGINT / SIGTERM. */
    public static final int SIGINT = 130;
    public static final int SIGTERM = 143;

    private ExitCodes() {
    }

    public static int of(Throwable t) {
        if (t instanceof UsageException || t instanceof CommandLine.ParameterException) {
            return USAGE;
        }
        if (t instanceof InvalidInputException) {
            return INVALID_INPUT;
        }
        if (t instanceof IoFailureException || t instanceof IOException || t instanceof UncheckedIOException) {
            return IO_FAILURE;
        }
        if (t instanceof NumericGuardException) {
            return NUMERIC_GUARD;
        }
        return UNEXPECTED;
    }
}
