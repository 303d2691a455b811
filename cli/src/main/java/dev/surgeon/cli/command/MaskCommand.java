package dev.surgeon.cli.command;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code surgeon mask}: GTSP masks; only lists its subcommands. */
@Command(name = "mask", mixinStandardHelpOptions = true,
        description = "GTSP masks (METHODS.md, \"GTSP\"): apply a mask file of weight, head and layer masks to a model.",
        subcommands = {MaskComputeCommand.class, MaskApplyCommand.class})
public final class MaskCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new ParameterException(spec.commandLine(), "a subcommand is required (apply)");
    }
}
