package dev.surgeon.cli.command;

import dev.surgeon.cli.CalibrationOptions;
import dev.surgeon.cli.Console;
import dev.surgeon.cli.ModelOutput;
import dev.surgeon.cli.Progress;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.ops.calib.StatsFormat;
import dev.surgeon.ops.prune.comp.Comp;
import dev.surgeon.ops.prune.comp.StructuredPlan;
import dev.surgeon.ops.runner.Runners;
import dev.surgeon.ops.runner.TransformerRunner;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code surgeon prune --method comp}: COMP structured pruning ({@link Comp}) and the write of the
 * smaller model ({@link StructuredPlan}). Calibration defaults to 32 sequences of 128 tokens sampled
 * from the model itself, sized for a CPU.
 */
final class CompPrune {
    /** Calibration defaults of COMP: sequences and tokens per sequence. */
    static final int SAMPLES = 32;
    static final int SEQ_LEN = 128;

    private CompPrune() {
    }

    static int run(PruneCommand c) {
        checkOptions(c);
        if (c.ratio == null) {
            throw new UsageException("--ratio R is required: the fraction of the model's parameters to remove, in [0, 1)");
        }
        c.calibration.defaults(SAMPLES, SEQ_LEN);
        if (c.stats != null && c.calibration.given()) {
            throw new UsageException("--stats replaces the calibration data; do not also give --data or --calib");
        }
        c.calibration.validate(false);
        CompOptions o = c.comp;
        o.share();
        o.score();
        DType target = c.dtype.get();
        Report report = new Report("prune");
        report.put("method", "comp");
        report.put("seed", c.calibration.seed());
        Comp.Result result;
        Integer seqLen = null;
        boolean show = Progress.wanted(c.reportOptions);
        try (Checkpoint in = Checkpoint.open(c.model)) {
            InputReport.add(report, in);
            Comp.check(in);
            if (c.dryRun.on()) {
                Map<String, Object> recipe = new LinkedHashMap<>(params(c, target, c.stats != null ? null
                        : dev.surgeon.cli.CalibrationPlan.of(c.calibration, SEQ_LEN, Integer.MAX_VALUE).seqLen()));
                recipe.put("max_shard_size", c.output.maxShardBytes() == 0 ? null : c.output.maxShardBytes());
                ModelOutput.warnIfNoConfig(report, c.output, in, "pruned", "the new sizes (num_hidden_layers, "
                        + "intermediate_size and per-block widths)");
                return PruneDryRun.comp(c, in, target, recipe, report);
            }
            if (c.stats != null) {
                result = Comp.fromStats(in, StatsFormat.read(c.stats), o.request(c.ratio, 1), CompPrune::verbose);
                report.put("data", "stats:" + c.stats);
            } else {
                try (TransformerRunner runner = open(in)) {
                    CalibrationOptions.Resolved cal = c.calibration.resolve(in, runner, report, "prune", show);
                    if (cal.seqLen() < 2) {
                        throw new UsageException("--seq-len must be at least 2 for comp (the calibration NLL predicts "
                                + "each token from the ones before)");
                    }
                    Console.note("prune: comp on " + cal.windows().length + " sequences of " + cal.seqLen() + " tokens ("
                            + cal.source() + ")");
                    result = Comp.run(runner, in, cal.windows(), o.request(c.ratio, cal.batch()), msg -> {
                        if (Console.verbose() || show) {
                            Console.note("prune: " + msg);
                        }
                    });
                    report.put("samples", cal.windows().length);
                    report.put("seq_len", cal.seqLen());
                    seqLen = cal.seqLen();
                    report.put("batch", cal.batch());
                }
            }
            StructuredPlan plan = StructuredPlan.build(in, new LayerMap(in.names(), in.config()), result.edit(), target);
            Map<String, Object> params = params(c, target, seqLen);
            Map<String, Object> recipe = new LinkedHashMap<>(params);
            recipe.put("max_shard_size", c.output.maxShardBytes() == 0 ? null : c.output.maxShardBytes());
            ModelOutput.warnIfNoConfig(report, c.output, in, "pruned", "the new sizes (num_hidden_layers, "
                    + "intermediate_size and per-block widths)");
            com.google.gson.JsonObject config = plan.config();
            com.google.gson.JsonObject typed = ConvertCommand.withDtype(config, target);
            ModelOutput.write("prune", recipe, List.of(in), c.output, "pruned", plan.tensors(),
                    typed != null ? typed : config, report);
            CompView.report(report, params, result, plan);
            if (!c.reportOptions.json) {
                CompView.print(System.out, c.ratio, result, plan);
                System.out.flush();
            }
        }
        report.emit(c.reportOptions);
        return 0;
    }

    /** The forward pass, or exit 3 pointing at the ways that need none. */
    private static TransformerRunner open(Checkpoint in) {
        try {
            return Runners.open(in);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(e.getMessage() + "; comp needs the forward pass to calibrate: give --stats FILE "
                    + "(block cosines and down_proj Gram matrices, as 'surgeon calibrate --gram' writes) or use "
                    + "--method magnitude");
        }
    }

    /** Options of the unstructured methods mean nothing to comp. */
    private static void checkOptions(PruneCommand c) {
        if (c.group != null || c.nm != null) {
            throw new UsageException("comp removes whole blocks and MLP neurons; --group and --nm apply to magnitude, "
                    + "wanda and ecoflap");
        }
        if (!c.include.isEmpty() || !c.exclude.isEmpty()) {
            throw new UsageException("comp chooses its own structures (blocks, MLP neurons); --include and --exclude "
                    + "apply to magnitude, wanda and ecoflap");
        }
        if (c.oneShot || c.sparsityFile != null) {
            throw new UsageException("--one-shot and --sparsity-file apply to wanda and ecoflap; comp edits blocks in "
                    + "order (or one-shot from --stats)");
        }
    }

    private static void verbose(String msg) {
        if (Console.verbose()) {
            Console.note("prune: " + msg);
        }
    }

    /** The options that made this output (file names only). */
    private static Map<String, Object> params(PruneCommand c, DType target, Integer seqLen) {
        CompOptions o = c.comp;
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("method", "comp");
        p.put("ratio", c.ratio);
        Double share = o.share();
        p.put("layer_share", share == null ? "auto" : share);
        p.put("uniform", o.uniform);
        p.put("tune", !o.noTune);
        p.put("neuron_score", o.score().name().toLowerCase(java.util.Locale.ROOT));
        p.put("iterative", o.iterative);
        p.put("max_scale_var", o.maxScaleVar);
        p.put("dtype", target == null ? null : target.name());
        p.put("data", c.stats != null ? null : c.calibration.data() != null ? fileName(c.calibration.data()) : "self");
        p.put("stats", c.stats == null ? null : fileName(c.stats));
        p.put("samples", c.stats != null ? null : c.calibration.samples());
        p.put("seq_len", seqLen);
        p.put("seed", c.calibration.seed());
        return p;
    }

    private static String fileName(Path p) {
        Path f = p.getFileName();
        return f == null ? p.toString() : f.toString();
    }
}
