package dev.surgeon.cli.command;

import dev.surgeon.cli.CalibrationOptions;
import dev.surgeon.cli.CalibrationPlan;
import dev.surgeon.cli.ReportOptions;
import dev.surgeon.cli.dryrun.DryRun;
import dev.surgeon.cli.dryrun.Estimate;
import dev.surgeon.cli.dryrun.ModelSize;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.ops.calib.Calibrator;
import dev.surgeon.ops.calib.StatsFormat;
import dev.surgeon.ops.prune.PrunableTensor;
import dev.surgeon.ops.prune.Prunables;
import dev.surgeon.ops.runner.TransformerRunner;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * --dry-run of {@code surgeon calibrate}: the statistics file's entries follow from the model's
 * Linear layers (an F64 [in] sum and an I64 token count each, the down projections' F64 [in, in]
 * Gram matrix with --gram, and the block cosines), so its size is known without calibrating.
 */
final class CalibrateDryRun {
    private CalibrateDryRun() {
    }

    static int run(Checkpoint in, TransformerRunner runner, Path target, boolean force, List<Path> inputs,
                   CalibrationOptions calibration, boolean gram, Map<String, String> meta, Report report, ReportOptions ro) {
        CalibrationPlan cal = CalibrationPlan.of(calibration, null, runner.maxPositions());
        Map<String, String> m = new TreeMap<>(meta);
        m.put("samples", Integer.toString(cal.samples()));
        m.put("seq_len", Integer.toString(cal.seqLen()));
        m.put("tokens", Long.toString(cal.tokens()));
        m.put("format", StatsFormat.FORMAT);
        m.put("version", StatsFormat.VERSION);
        LayerMap layers = new LayerMap(in.names(), in.config());
        Map<String, PlannedTensor> ts = new TreeMap<>();
        long gramBytes = 0;
        for (PrunableTensor t : Prunables.select(in, layers, List.of(), List.of())) {
            String name = t.linear();
            ts.put(name + StatsFormat.SQ_SUM, new PlannedTensor(name + StatsFormat.SQ_SUM, DType.F64, new long[] {t.cols()}, null));
            ts.put(name + StatsFormat.TOKENS, new PlannedTensor(name + StatsFormat.TOKENS, DType.I64, new long[0], null));
            if (gram && Calibrator.MLP_DOWN.test(name)) {
                ts.put(name + StatsFormat.GRAM, new PlannedTensor(name + StatsFormat.GRAM, DType.F64, new long[] {t.cols(), t.cols()}, null));
                gramBytes += t.cols() * t.cols() * 8;
            }
        }
        ts.put(StatsFormat.COSINE, new PlannedTensor(StatsFormat.COSINE, DType.F64, new long[] {runner.blockCount()}, null));
        DryRun d = DryRun.file("calibrate", target, force, inputs, m, List.copyOf(ts.values()), null, t -> true);
        ModelSize size = ModelSize.of(in);
        d.estimate(Estimate.calibrated(size, cal.tokens(), cal.selfSampled(), 1, Estimate.forwardRate(), gramBytes,
                "the Gram matrices of every block (I^2 doubles each)", 0, ""));
        d.note(String.format(Locale.ROOT, "calibration on %d sequences of %d tokens%s; not run by --dry-run", cal.samples(),
                cal.seqLen(), cal.selfSampled() ? " sampled from the model" : ""));
        if (!cal.selfSampled()) {
            d.inexact("the header assumes the data holds " + cal.samples() + " windows of " + cal.seqLen()
                    + " tokens (shorter data gives fewer, and a few bytes less)");
        }
        return d.finish(report, ro);
    }
}
