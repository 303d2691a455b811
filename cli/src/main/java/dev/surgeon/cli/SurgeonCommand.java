package dev.surgeon.cli;

import dev.surgeon.cli.command.AverageCommand;
import dev.surgeon.cli.command.CalibrateCommand;
import dev.surgeon.cli.command.CompletionCommand;
import dev.surgeon.cli.command.ConvertCommand;
import dev.surgeon.cli.command.MaskCommand;
import dev.surgeon.cli.command.DiffCommand;
import dev.surgeon.cli.command.EvalCommand;
import dev.surgeon.cli.command.InspectCommand;
import dev.surgeon.cli.command.MergeCommand;
import dev.surgeon.cli.command.PruneCommand;
import dev.surgeon.cli.command.ScaleCommand;
import dev.surgeon.cli.command.SynthCommand;
import dev.surgeon.cli.command.VerifyCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The top-level command; it only lists the subcommands, which {@link #COMMANDS} names so that a run
 * builds the model of the one it runs (picocli's reflection over all of them cost most of the start-up).
 */
@Command(name = "surgeon",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Model surgery for safetensors checkpoints: inspect, diff, verify, convert and synthesize models; "
                + "prune them (magnitude, Wanda, ECoFLaP, N:M); scale (LiNeS), merge (task arithmetic, TIES, DARE, SLERP) and average (AMA) them; apply GTSP masks.",
        footer = {"", "Exit codes: 0 ok, 2 usage error, 3 invalid input, 4 I/O failure, 5 NaN/Inf guard,",
                "130 interrupted (SIGINT), 143 terminated (SIGTERM), 1 unexpected."})
public final class SurgeonCommand implements Runnable {
    /**
     * Every subcommand by name, in the order help lists them. The names repeat the classes'
     * {@code @Command(name)} (a test checks they agree) because reading those annotations meant
     * parsing all fourteen in every run, about a tenth of a short run's time.
     */
    static final java.util.Map<String, Class<?>> COMMANDS = commands();

    private static java.util.Map<String, Class<?>> commands() {
        java.util.Map<String, Class<?>> m = new java.util.LinkedHashMap<>();
        m.put("inspect", InspectCommand.class);
        m.put("diff", DiffCommand.class);
        m.put("verify", VerifyCommand.class);
        m.put("convert", ConvertCommand.class);
        m.put("synth", SynthCommand.class);
        m.put("prune", PruneCommand.class);
        m.put("scale", ScaleCommand.class);
        m.put("average", AverageCommand.class);
        m.put("merge", MergeCommand.class);
        m.put("eval", EvalCommand.class);
        m.put("calibrate", CalibrateCommand.class);
        m.put("mask", MaskCommand.class);
        m.put("completion", CompletionCommand.class);
        m.put("help", picocli.CommandLine.HelpCommand.class);
        return java.util.Collections.unmodifiableMap(m);
    }

    @Mixin
    LoggingOptions logging;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
