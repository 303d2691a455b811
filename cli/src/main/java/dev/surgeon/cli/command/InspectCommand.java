package dev.surgeon.cli.command;

import picocli.CommandLine.Command;

/** Placeholder being written. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "(being written)")
public final class InspectCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("inspect");
    }
}
