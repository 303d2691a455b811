package dev.surgeon.cli.config;

import dev.surgeon.io.error.UsageException;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A config file's values as picocli default values of one command: an option or positional the
 * command line leaves out takes its value from the file, so flags always win. Keys are the long
 * option names without the dashes ({@code max-shard-size}) and the positional parameters' labels
 * in lower case ({@code model}, {@code base}, {@code ft}); multi-value ones take a YAML/JSON list.
 *
 * <p>picocli hands a default value provider's single string to a multi-value argument as one
 * element, so the provider gives the first element (enough for picocli's required-argument check)
 * and {@link #applyLists} puts the whole list in after parsing, unless the command line gave it.
 */
public final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
    private final ConfigFile file;
    private final CommandSpec command;
    private final Map<ArgSpec, List<String>> values = new IdentityHashMap<>();

    private ConfigDefaults(ConfigFile file, CommandSpec command) {
        this.file = file;
        this.command = command;
    }

    /** Checks every key and value of {@code file} against {@code command}'s arguments; exit 2 on the first wrong one. */
    public static ConfigDefaults of(ConfigFile file, CommandSpec command) {
        ConfigDefaults d = new ConfigDefaults(file, command);
        Map<String, ArgSpec> keys = keys(command);
        for (Map.Entry<String, Object> e : file.values().entrySet()) {
            String key = e.getKey();
            ArgSpec arg = keys.get(key);
            if (arg == null) {
                throw new UsageException(unknown(key, file, command, keys));
            }
            d.values.put(arg, d.texts(key, arg, e.getValue()));
        }
        return d;
    }

    /** Key → argument: every long option name without its dashes, and every positional label in lower case. */
    public static Map<String, ArgSpec> keys(CommandSpec command) {
        Map<String, ArgSpec> keys = new LinkedHashMap<>();
        for (OptionSpec o : command.options()) {
            if (o.usageHelp() || o.versionHelp() || o.longestName().equals("--config")) {
                continue;
            }
            for (String n : o.names()) {
                if (n.startsWith("--")) {
                    keys.put(n.substring(2), o);
                }
            }
        }
        for (PositionalParamSpec p : command.positionalParameters()) {
            keys.put(positionalKey(p), p);
        }
        return keys;
    }

    static String positionalKey(PositionalParamSpec p) {
        return p.paramLabel().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "");
    }

    private static String unknown(String key, ConfigFile file, CommandSpec command, Map<String, ArgSpec> keys) {
        String where = " in " + file.path() + " (" + command.qualifiedName() + ")";
        if (key.equals("config")) {
            return "key 'config'" + where + ": a config file cannot name another one";
        }
        String hint = key.startsWith("-") && keys.containsKey(key.replaceFirst("^-+", ""))
                ? key.replaceFirst("^-+", "") : Suggest.closest(key, keys.keySet());
        return "unknown key '" + key + "'" + where + (hint == null ? "" : "; did you mean '" + hint + "'?");
    }

    /** The value as picocli option text: one string, or one per element for a multi-value argument. */
    private List<String> texts(String key, ArgSpec arg, Object value) {
        String where = "key '" + key + "' in " + file.path();
        if (value == null) {
            throw new UsageException(where + " has no value");
        }
        if (value instanceof Map) {
            throw new UsageException(where + ": a map where " + expected(arg) + " goes");
        }
        if (value instanceof List<?> list) {
            if (!arg.isMultiValue()) {
                throw new UsageException(where + ": a list where " + expected(arg) + " goes"
                        + (arg.paramLabel().contains(",") ? " (write the list as one string: a,b,c)" : ""));
            }
            if (!List.class.isAssignableFrom(arg.type())) {
                throw new UsageException(where + ": lists are not supported for this argument");
            }
            List<String> out = new ArrayList<>();
            for (Object x : list) {
                if (x == null || x instanceof List || x instanceof Map) {
                    throw new UsageException(where + ": list elements must be single values");
                }
                out.add(x.toString());
            }
            return out;
        }
        String text = value.toString();
        if (isFlag(arg) && !text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
            throw new UsageException(where + ": '" + text + "' where true or false goes (it is a flag)");
        }
        return List.of(isFlag(arg) ? text.toLowerCase(Locale.ROOT) : text);
    }

    private static boolean isFlag(ArgSpec arg) {
        return arg.isOption() && arg.arity().max() == 0;
    }

    private static String expected(ArgSpec arg) {
        return isFlag(arg) ? "true or false" : "one value";
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        List<String> v = values.get(arg);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /**
     * After parsing: multi-value arguments the command line left out get the whole list from the
     * file, and a flag given on the command line is what it says there (on, or off in its negative
     * form), whatever the file set it to.
     */
    public void applyLists(ParseResult leaf) {
        for (Map.Entry<ArgSpec, List<String>> e : values.entrySet()) {
            ArgSpec arg = e.getKey();
            if (isFlag(arg) && given(leaf, arg)) {
                // picocli flips a flag whose default (here the file's value) is true, and gives its
                // negative form the default: the command line's last form decides instead
                arg.setValue(!FlagNegation.negatedLast(leaf, (OptionSpec) arg));
                continue;
            }
            if (!arg.isMultiValue() || given(leaf, arg)) {
                continue;
            }
            Class<?> element = arg.auxiliaryTypes().length > 0 ? arg.auxiliaryTypes()[0] : String.class;
            List<Object> list = new ArrayList<>();
            for (String s : e.getValue()) {
                list.add(element == Path.class ? Path.of(s) : s);
            }
            arg.setValue(list);
        }
    }

    /** Whether the command line (not the file) gave {@code arg}. */
    public static boolean given(ParseResult leaf, ArgSpec arg) {
        return arg instanceof OptionSpec o ? leaf.hasMatchedOption(o) : leaf.hasMatchedPositional((PositionalParamSpec) arg);
    }

    public ConfigFile file() {
        return file;
    }

    public CommandSpec command() {
        return command;
    }

    /** Whether {@code arg}'s value came from the file. */
    public boolean supplied(ParseResult leaf, ArgSpec arg) {
        return values.containsKey(arg) && !given(leaf, arg);
    }
}
