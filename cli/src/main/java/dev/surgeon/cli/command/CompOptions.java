package dev.surgeon.cli.command;

import dev.surgeon.io.error.UsageException;
import dev.surgeon.ops.prune.comp.Comp;
import picocli.CommandLine.Option;

import java.util.Locale;

/** The options of {@code prune --method comp} (METHODS.md, COMP). */
public final class CompOptions {
    @Option(names = "--layer-share", paramLabel = "S|auto", defaultValue = "auto",
            description = "comp: the most of the --ratio budget whole blocks may take, in [0, 1] (rounded down to whole "
                    + "blocks, lowest importance first); auto tries every block count the budget allows and keeps the one "
                    + "with the lowest calibration NLL. Default: auto.")
    String layerShare;

    @Option(names = "--uniform",
            description = "comp: every kept block keeps the same MLP width (one intermediate_size; stock loaders read it). "
                    + "Default: off (widths follow the neuron scores, recorded as intermediate_sizes).")
    boolean uniform;

    @Option(names = "--no-tune",
            description = "comp: skip mask tuning (kept neurons keep scale 1). Default: tuning on.")
    boolean noTune;

    @Option(names = "--neuron-score", paramLabel = "SCORE", defaultValue = "obs",
            description = "comp: obs (optimal-brain-surgeon saliency from the MLP activations) or magnitude (squared norm "
                    + "of the neuron's weights, data-free baseline; uniform counts per block). Default: obs.")
    String neuronScore;

    @Option(names = "--iterative",
            description = "comp: recompute the OBS scores after each of 4 removal rounds. Default: off (one round).")
    boolean iterative;

    @Option(names = "--max-scale-var", paramLabel = "V", defaultValue = "1.0",
            description = "comp: a block whose tuned scales have a variance above V (or any |scale| > 10) keeps scale 1. "
                    + "Default: 1.0.")
    double maxScaleVar;

    /** The request for a validated ratio and batch. */
    Comp.Request request(double ratio, int batch) {
        return new Comp.Request(ratio, share(), uniform, !noTune, score(), iterative, maxScaleVar, batch);
    }

    Double share() {
        String s = layerShare.trim().toLowerCase(Locale.ROOT);
        if (s.equals("auto")) {
            return null;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new UsageException("--layer-share takes auto or a number in [0, 1], not '" + layerShare + "'");
        }
    }

    Comp.Score score() {
        switch (neuronScore.trim().toLowerCase(Locale.ROOT)) {
            case "obs":
                return Comp.Score.OBS;
            case "magnitude":
                return Comp.Score.MAGNITUDE;
            default:
                throw new UsageException("--neuron-score takes obs or magnitude, not '" + neuronScore + "'");
        }
    }

    /** True when an option differs from its default (comp options given with another method are an error). */
    boolean anyGiven() {
        return !layerShare.trim().equalsIgnoreCase("auto") || uniform || noTune || !neuronScore.trim().equalsIgnoreCase("obs")
                || iterative || maxScaleVar != 1.0;
    }
}
