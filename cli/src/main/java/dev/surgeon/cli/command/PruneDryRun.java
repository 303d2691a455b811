package dev.surgeon.cli.command;

import dev.surgeon.cli.CalibrationPlan;
import dev.surgeon.cli.dryrun.DryRun;
import dev.surgeon.cli.dryrun.Estimate;
import dev.surgeon.cli.dryrun.ModelSize;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.ops.convert.ConvertPlan;
import dev.surgeon.ops.prune.CalibratedPruning;
import dev.surgeon.ops.prune.PrunableTensor;
import dev.surgeon.ops.runner.Runners;
import dev.surgeon.ops.runner.TransformerRunner;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * --dry-run of {@code surgeon prune}: the plan from headers alone. Unstructured and N:M pruning keep
 * every name, dtype (or --dtype) and shape, so the output's sizes are exact; COMP's shapes come
 * from the calibration, so its sizes are the parameter budget's estimate.
 */
final class PruneDryRun {
    private PruneDryRun() {
    }

    /** magnitude, wanda, ecoflap: the same header as the real run's (zeros change no shape). */
    static int unstructured(PruneCommand c, Checkpoint in, List<PrunableTensor> targets, PruneRequest req, DType target,
                            int workers, Map<String, Object> recipe, Report report) {
        Set<String> cut = targets.stream().map(PrunableTensor::name).collect(Collectors.toSet());
        List<PlannedTensor> plan = ConvertPlan.build(in, target);
        DryRun d = DryRun.model(report, "prune", recipe, List.of(in), c.output, "pruned", plan, ConvertCommand.configFor(in, target),
                t -> cut.contains(t.name()));
        ModelSize size = ModelSize.of(in);
        long weights = targets.stream().mapToLong(PrunableTensor::numel).sum();
        Estimate write = Estimate.magnitude(size, workers, in.totalBytes(), d.bytes(), weights);
        if (req.magnitude() || c.stats != null) {
            if (c.stats != null) {
                Checkpoint.open(c.stats.toString()).close(); // its header is validated; its data is read by the real run
            }
            return d.estimate(write).finish(report, c.reportOptions);
        }
        try (TransformerRunner runner = Runners.open(in)) {
            CalibrationPlan cal = CalibrationPlan.of(c.calibration, null, runner.maxPositions());
            boolean ecoflap = req.method() == CalibratedPruning.Method.ECOFLAP && c.sparsityFile == null;
            // sequential: each block's statistics on the pruned blocks before it, and its output recomputed
            double passes = c.oneShot ? 1 : 2;
            if (ecoflap) {
                // stage 1: a perturbed and a plain pass of 32 sequences per block
                passes += 2.0 * size.blocks() * PruneCommand.ZEROTH_ORDER_SAMPLES / cal.samples();
            }
            long cutBytes = 2 * size.largestF32() * workers;
            d.estimate(Estimate.calibrated(size, cal.tokens(), cal.selfSampled(), passes, Estimate.forwardRate(),
                    cutBytes, "the cut: 2 x largest tensor in F32 x " + workers + " threads",
                    write.seconds(), String.format(Locale.ROOT, "the write %.1f s", write.seconds())));
            d.note(req.name() + " calibrates on " + cal.samples() + " sequences of " + cal.seqLen() + " tokens"
                    + (cal.selfSampled() ? " sampled from the model" : "") + "; not run by --dry-run");
        }
        return d.finish(report, c.reportOptions);
    }

    /** COMP: output parameters about (1 - R) x P; which blocks and neurons go is decided by the calibration. */
    static int comp(PruneCommand c, Checkpoint in, DType target, Map<String, Object> recipe, Report report) {
        LayerMap layers = new LayerMap(in.names(), in.config());
        List<PlannedTensor> plan = ConvertPlan.build(in, target);
        DryRun d = DryRun.model(report, "prune", recipe, List.of(in), c.output, "pruned", plan, ConvertCommand.configFor(in, target),
                t -> layers.roleOf(t.name()) != null && layers.roleOf(t.name()).block() >= 0);
        double keep = 1 - c.ratio;
        d.keepFraction(keep, "decided by calibration (which blocks and MLP neurons go); the sizes assume the parameter "
                + "budget: output params ~ (1 - " + c.ratio + ") x input params, and a config.json with the new sizes");
        ModelSize size = ModelSize.of(in);
        Estimate write = Estimate.magnitude(size, 1, in.totalBytes(), d.bytes(), 0);
        if (c.stats != null) {
            Checkpoint.open(c.stats.toString()).close();
            return d.estimate(write).finish(report, c.reportOptions);
        }
        try (TransformerRunner runner = Runners.open(in)) {
            CalibrationPlan cal = CalibrationPlan.of(c.calibration, CompPrune.SEQ_LEN, runner.maxPositions());
            if (cal.seqLen() < 2) {
                throw new dev.surgeon.io.error.UsageException("--seq-len must be at least 2 for comp (the calibration NLL "
                        + "predicts each token from the ones before)");
            }
            Double share = c.comp.share();
            long blockParams = blockParams(in, layers);
            int most = blockParams == 0 ? 0
                    : (int) Math.min(Math.max(0, size.blocks() - 1), (long) Math.floor(c.ratio * size.params() / blockParams));
            int candidates = share != null ? 1 : most + 1;
            long inter = Math.max(1, size.intermediate());
            long extra = 3 * inter * inter * 8 + cal.tokens() * inter * 4;
            d.estimate(Estimate.calibrated(size, cal.tokens(), cal.selfSampled(), candidates + 1, Estimate.compRate(), extra,
                    "per block the Gram matrix, its inverse and G o W^T W (3 x I^2 doubles) and the MLP activations (tokens x I floats)",
                    write.seconds(), String.format(Locale.ROOT, "the write %.1f s", write.seconds())));
            d.note(String.format(Locale.ROOT, "comp: %d candidate%s (--layer-share %s) plus the dense pass, on %d sequences of %d "
                            + "tokens%s; not run by --dry-run", candidates, candidates == 1 ? "" : "s",
                    share == null ? "auto" : share.toString(), cal.samples(), cal.seqLen(),
                    cal.selfSampled() ? " sampled from the model" : ""));
        }
        return d.finish(report, c.reportOptions);
    }

    /** Parameters of the first block: what removing one whole block saves. */
    private static long blockParams(Checkpoint in, LayerMap layers) {
        List<String> names = layers.namesByBlock().get(0);
        if (names == null) {
            return 0;
        }
        return names.stream().mapToLong(n -> in.tensors().get(n).info().numel()).sum();
    }
}
