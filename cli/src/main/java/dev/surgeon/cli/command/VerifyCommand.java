package dev.surgeon.cli.command;

import picocli.CommandLine.Command;

/** Placeholder being written. */
@Command(name = "verify", mixinStandardHelpOptions = true, description = "(being written)")
public final class VerifyCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("verify");
    }
}
