package dev.surgeon.cli.config;

import dev.surgeon.cli.Console;
import dev.surgeon.cli.Terminal;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs the parsed command (picocli's RunLast) after completing what the config file gives
 * (its lists) and, with -v, logging the config file and the effective options of the command.
 */
public final class ConfiguredExecution implements CommandLine.IExecutionStrategy {
    private final ConfigDefaults config;

    /** {@code config}: the file's values for the command being run, or null without --config. */
    public ConfiguredExecution(ConfigDefaults config) {
        this.config = config;
    }

    @Override
    public int execute(ParseResult parsed) {
        ParseResult leaf = parsed;
        while (leaf.subcommand() != null) {
            leaf = leaf.subcommand();
        }
        boolean configured = config != null && leaf.commandSpec() == config.command();
        if (configured) {
            config.applyLists(leaf);
        }
        if (Console.verbose() && !leaf.isUsageHelpRequested() && !leaf.isVersionHelpRequested()) {
            if (configured) {
                Console.debug("config file " + config.file().path().toAbsolutePath() + ": "
                        + String.join(", ", config.file().values().keySet()));
            }
            Console.debug(leaf.commandSpec().qualifiedName() + " effective options: " + effective(leaf, configured));
            Console.debug("stderr: " + (Terminal.stderrIsTerminal() ? "a terminal, " + Terminal.columns() + " columns, colour "
                    + (Terminal.color() ? "on" : "off (NO_COLOR)") : "not a terminal (no progress bar, no colour)"));
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    /** Every argument with a value, as {@code --name=value}, those from the config file marked. */
    private String effective(ParseResult leaf, boolean configured) {
        List<String> parts = new ArrayList<>();
        for (ArgSpec arg : leaf.commandSpec().args()) {
            if (arg instanceof OptionSpec o && (o.usageHelp() || o.versionHelp())) {
                continue;
            }
            Object v = arg.getValue();
            if (v == null || Boolean.FALSE.equals(v) || (v instanceof java.util.Collection<?> c && c.isEmpty())) {
                continue;
            }
            String name = arg instanceof OptionSpec o ? o.longestName() : arg.paramLabel();
            String from = configured && config.supplied(leaf, arg) ? " (config)" : "";
            parts.add(name + "=" + v + from);
        }
        return parts.isEmpty() ? "(none)" : String.join(" ", parts);
    }
}
