package dev.surgeon.cli.command;

import picocli.CommandLine.Command;

/** Placeholder being written. */
@Command(name = "synth", mixinStandardHelpOptions = true, description = "(being written)")
public final class SynthCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("synth");
    }
}
