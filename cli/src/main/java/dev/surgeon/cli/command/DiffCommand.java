package dev.surgeon.cli.command;

import picocli.CommandLine.Command;

/** Placeholder being written. */
@Command(name = "diff", mixinStandardHelpOptions = true, description = "(being written)")
public final class DiffCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("diff");
    }
}
