package dev.surgeon.cli;

import dev.surgeon.io.error.SurgeonException;
import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * Prints one clear line per failure on stderr ("surgeon: error: ..."), a stack trace only with
 * -v or for a failure surgeon did not foresee, and returns the exit code from {@link ExitCodes}.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean verbose = Console.verbose();
        String msg = ex.getMessage() == null ? ex.getClass().getName() : ex.getMessage();
        if (ex instanceof SurgeonException) {
            err.println("surgeon: error: " + firstLine(msg));
        } else if (ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException) {
            err.println("surgeon: error: I/O failure: " + firstLine(msg));
        } else {
            err.println("surgeon: internal error: " + ex.getClass().getSimpleName() + ": " + firstLine(msg)
                    + (verbose ? "" : " (run with -v for details)"));
        }
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.of(ex);
    }

    static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Bad flags or arguments: one line, a pointer to --help, exit 2. */
    static final class Usage implements CommandLine.IParameterExceptionHandler {
        @Override
        public int handleParseException(CommandLine.ParameterException ex, String[] args) {
            CommandLine cl = ex.getCommandLine();
            PrintWriter err = cl.getErr();
            err.println("surgeon: usage error: " + firstLine(String.valueOf(ex.getMessage())));
            err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
            err.flush();
            return ExitCodes.USAGE;
        }
    }
}
