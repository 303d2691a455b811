package dev.surgeon.cli.config;

import dev.surgeon.io.error.UsageException;
import picocli.CommandLine;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Finds, before picocli parses, the command a command line runs and the file its --config names:
 * default values must be in place when parsing starts. --config may stand anywhere before "--"
 * (after "surgeon" or after the command's name); the last one wins, as picocli would see it.
 */
public record ConfigLocator(CommandLine command, Path config) {
    public static ConfigLocator of(CommandLine root, String[] args) {
        CommandLine current = root;
        String config = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                break;
            }
            if (a.equals("--config")) {
                if (i + 1 < args.length) {
                    config = args[++i];
                }
                continue;
            }
            if (a.startsWith("--config=")) {
                config = a.substring("--config=".length());
                continue;
            }
            CommandLine sub = current.getSubcommands().get(a);
            if (sub != null) {
                current = sub;
            }
        }
        try {
            return new ConfigLocator(current, config == null ? null : Path.of(config));
        } catch (InvalidPathException e) {
            throw new UsageException("--config " + config + ": not a valid path");
        }
    }
}
