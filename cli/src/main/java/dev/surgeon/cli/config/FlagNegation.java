package dev.surgeon.cli.config;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.util.List;

/**
 * Every boolean flag also takes its negative form ({@code --no-force}; {@code --card} for
 * {@code --no-card}), so that a flag a config file turns on can be turned off for one run. The
 * forms are added to each command after it is built, so no flag can be left without one.
 *
 * <p>picocli sets a flag given in its negative form to the flag's default value, and a config
 * file's value is that default: {@link ConfigDefaults#applyLists} therefore sets a flag the command
 * line gave from the form written last ({@link #negatedLast}).
 */
public final class FlagNegation {
    private FlagNegation() {
    }

    /** Makes every boolean flag with a long name, in {@code cl} and its subcommands, negatable. */
    public static void addTo(CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        spec.negatableOptionTransformer(new PlainSynopsis(spec.negatableOptionTransformer()));
        for (OptionSpec o : List.copyOf(spec.options())) {
            if (isFlag(o) && !o.negatable() && o.group() == null) {
                // options are immutable: the same option (names, binding, help) rebuilt negatable
                spec.remove(o);
                spec.addOption(o.toBuilder().negatable(true).build());
            }
        }
        cl.getSubcommands().values().forEach(FlagNegation::addTo);
    }

    /**
     * picocli's negative names, with each flag shown under its own name in help and usage: help
     * that reads {@code --[no-]force} is not found by a search for {@code --force}.
     */
    private record PlainSynopsis(CommandLine.INegatableOptionTransformer names)
            implements CommandLine.INegatableOptionTransformer {
        @Override
        public String makeNegative(String optionName, CommandSpec command) {
            return names.makeNegative(optionName, command);
        }

        @Override
        public String makeSynopsis(String optionName, CommandSpec command) {
            return optionName;
        }
    }

    private static boolean isFlag(OptionSpec o) {
        return o.arity().max() == 0 && !o.usageHelp() && !o.versionHelp() && o.longestName().startsWith("--")
                && (o.type() == boolean.class || o.type() == Boolean.class);
    }

    /** The negative form of {@code o}'s long name, as picocli accepts it. */
    public static String negative(CommandSpec command, OptionSpec o) {
        return command.negatableOptionTransformer().makeNegative(o.longestName(), command);
    }

    /**
     * Whether the last of {@code o}'s forms on the command line was the negative one (a short name in
     * a cluster such as {@code -qv} counts as positive).
     */
    public static boolean negatedLast(ParseResult leaf, OptionSpec o) {
        String negative = negative(leaf.commandSpec(), o);
        List<String> args = leaf.originalArgs();
        for (int i = args.size() - 1; i >= 0; i--) {
            String a = args.get(i);
            if (a.equals(negative)) {
                return true;
            }
            for (String n : o.names()) {
                if (a.equals(n)) {
                    return false;
                }
            }
        }
        return false;
    }
}
