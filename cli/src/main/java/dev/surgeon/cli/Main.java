package dev.surgeon.cli;

import dev.surgeon.cli.config.ConfigDefaults;
import dev.surgeon.cli.config.ConfigFile;
import dev.surgeon.cli.config.ConfigLocator;
import dev.surgeon.cli.config.ConfiguredExecution;
import dev.surgeon.cli.config.FlagNegation;
import dev.surgeon.io.error.SurgeonException;
import picocli.CommandLine;

import java.io.PrintWriter;

/** Entry point: runs the command line and exits with the code {@link ExitCodes} gives. */
public final class Main {
    private Main() {
    }

    static {
        // Start-up: surgeon has no Groovy closures and no java.sql/java.time options; without these
        // picocli searches every jar on the class path for groovy.lang.Closure and reflects on twenty
        // date and SQL classes for each command line it builds, in every run.
        if (System.getProperty("picocli.disable.closures") == null) {
            System.setProperty("picocli.disable.closures", "true");
        }
        if (System.getProperty("picocli.converters.excludes") == null) {
            System.setProperty("picocli.converters.excludes", "java\\.(sql|time)\\..*");
        }
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line in this JVM and returns its exit code (tests call this). */
    public static int run(String... args) {
        Progress.machineRun(false); // per run, also when tests run many in one JVM
        CommandLine cl = commandLine(args);
        ConfigDefaults config = null;
        ConfigLocator at = null;
        try {
            at = ConfigLocator.of(cl, args);
            if (at.config() != null) {
                config = ConfigDefaults.of(ConfigFile.read(at.config()), at.command().getCommandSpec());
                // picocli takes a default only where the command line gives nothing: flags override the file.
                at.command().setDefaultValueProvider(config);
            }
        } catch (SurgeonException e) {
            return configError(at == null ? cl : at.command(), e);
        }
        cl.setExecutionStrategy(new ConfiguredExecution(config));
        try {
            return cl.execute(args);
        } catch (LinkageError e) {
            // picocli handles exceptions only; a native backend that cannot load (the CUDA build on a
            // machine without the driver) arrives as an Error from a static initialiser
            return nativeFailure(cl, e);
        } catch (InternalError e) {
            if (!String.valueOf(e.getMessage()).contains("unsafe memory access")) {
                throw e;
            }
            // a fault on a mapped input page that the JVM raised only after the read that caused it
            // had returned (SafetensorsFile.mapped reports those it sees as I/O failures)
            java.io.PrintWriter err = cl.getErr();
            err.println("surgeon: error: an input file was cut short or became unreadable while being read ("
                    + e.getMessage() + ")");
            err.flush();
            return ExitCodes.IO_FAILURE;
        }
    }

    private static int nativeFailure(CommandLine cl, LinkageError e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String what = root.getMessage() == null ? root.getClass().getSimpleName()
                : root.getClass().getSimpleName() + ": " + ErrorHandler.firstLine(root.getMessage());
        java.io.PrintWriter err = cl.getErr();
        err.println("surgeon: error: the numeric backend (ND4J) cannot start on this machine: " + what);
        if (Console.verbose()) {
            e.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.UNEXPECTED;
    }

    /** The command line with every subcommand (help, completion, tests). */
    public static CommandLine commandLine() {
        return commandLine(SurgeonCommand.COMMANDS.keySet());
    }

    /**
     * The command line for {@code args}: only the subcommand they run when they name one (and it
     * is not help or completion, which need them all), else all of them.
     */
    static CommandLine commandLine(String[] args) {
        for (String a : args) {
            if (SurgeonCommand.COMMANDS.containsKey(a)) {
                return a.equals("help") || a.equals("completion") ? commandLine() : commandLine(java.util.List.of(a));
            }
        }
        return listing();
    }

    /**
     * The command line of a run that names no subcommand (--help, --version, no arguments, a
     * misspelt command): the subcommands only as names and descriptions, read from their
     * annotations, which is all the listing, the version and the suggestions need; building their
     * full models cost about a third of --help's start-up.
     */
    private static CommandLine listing() {
        CommandLine cl = commandLine(java.util.List.of());
        for (java.util.Map.Entry<String, Class<?>> e : SurgeonCommand.COMMANDS.entrySet()) {
            CommandLine.Command c = e.getValue().getAnnotation(CommandLine.Command.class);
            CommandLine.Model.CommandSpec spec = CommandLine.Model.CommandSpec.create().name(e.getKey());
            spec.usageMessage().description(c.description()).headerHeading(c.headerHeading()).header(c.header());
            cl.addSubcommand(e.getKey(), spec);
        }
        return cl;
    }

    private static CommandLine commandLine(java.util.Collection<String> names) {
        CommandLine cl = new CommandLine(new SurgeonCommand());
        for (String n : names) {
            cl.addSubcommand(n, new CommandLine(SurgeonCommand.COMMANDS.get(n), CommandLine.defaultFactory()));
        }
        FlagNegation.addTo(cl);
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setParameterExceptionHandler(new ErrorHandler.Usage());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setUsageHelpAutoWidth(true);
        return cl;
    }

    /** A bad --config file: one line as for any usage error (exit 2), or an I/O failure (exit 4). */
    private static int configError(CommandLine command, SurgeonException e) {
        PrintWriter err = command.getErr();
        int code = ExitCodes.of(e);
        if (code == ExitCodes.USAGE) {
            err.println("surgeon: usage error: " + ErrorHandler.firstLine(String.valueOf(e.getMessage())));
            err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for more information.");
        } else {
            err.println("surgeon: error: " + ErrorHandler.firstLine(String.valueOf(e.getMessage())));
        }
        err.flush();
        return code;
    }
}
