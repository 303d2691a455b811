package dev.surgeon.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.surgeon.cli.CalibrationOptions;
import dev.surgeon.cli.Console;
import dev.surgeon.cli.DryRunOption;
import dev.surgeon.cli.OutputSpace;
import dev.surgeon.cli.dryrun.OutputLayout;
import dev.surgeon.cli.LoggingOptions;
import dev.surgeon.cli.Progress;
import dev.surgeon.cli.ReportOptions;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.write.OutputPaths;
import dev.surgeon.ops.calib.ActivationStats;
import dev.surgeon.ops.calib.Calibrator;
import dev.surgeon.ops.calib.StatsFormat;
import dev.surgeon.ops.runner.Runners;
import dev.surgeon.ops.runner.TransformerRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code surgeon calibrate}: activation statistics of a model on calibration data, for Wanda/ECoFLaP/COMP-style pruning. */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = {"Activation statistics of a LLaMA-family model on calibration data: per Linear, the per-input-channel",
                "sum of squares of its input and the token count (optionally the Gram matrix of the MLP down projection",
                "inputs); per block, the mean cosine between its input and output. Blocks run in order, each fed the",
                "previous block's output. The statistics file is documented in the README (### calibrate)."})
public final class CalibrateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "A .safetensors file, an index.json, a model folder, or a .tar/.tar.gz/.zip of one; config.json is required.")
    String model;

    @Mixin
    CalibrationOptions calibration;

    @Option(names = "--gram", description = "Also collect the Gram matrix X^T X (F64 [in, in]) of each MLP down projection's input. Default: off.")
    boolean gram;

    @Option(names = {"-o", "--output"}, paramLabel = "STATS",
            description = "The statistics file, a path ending in .safetensors. Default: beside the model, <model>.stats.safetensors.")
    Path output;

    @Option(names = "--force", description = "Replace an existing output. Default: off (an existing output is refused, exit 4).")
    boolean force;

    @Mixin
    ReportOptions reportOptions;

    @Mixin
    DryRunOption dryRun;

    @Mixin
    LoggingOptions logging;

    @Override
    public Integer call() {
        calibration.validate(true);
        if (output != null && !OutputPaths.isSingleFile(output)) {
            throw new UsageException("-o must be a path ending in .safetensors, not " + output);
        }
        Report report = new Report("calibrate");
        try (Checkpoint in = Checkpoint.open(model); TransformerRunner runner = Runners.open(in)) {
            Path target = output != null ? output : defaultTarget(in.reference());
            List<Path> inputs = new ArrayList<>(in.inputPaths());
            if (in.kind() == Checkpoint.Kind.DIRECTORY) {
                inputs.add(in.root());
            }
            if (calibration.data() != null) {
                inputs.add(calibration.data());
            }
            OutputPaths.checkNotInput(target, inputs);
            InputReport.add(report, in);
            if (dryRun.on()) {
                Map<String, String> meta = new TreeMap<>();
                Path ref = Path.of(in.reference()).getFileName();
                meta.put("model", ref == null ? in.reference() : ref.toString());
                meta.put("data", calibration.data() != null ? String.valueOf(calibration.data().getFileName()) : "self");
                meta.put("seed", Long.toString(calibration.seed()));
                meta.put("gram", Boolean.toString(gram));
                return CalibrateDryRun.run(in, runner, target, force, inputs, calibration, gram, meta, report, reportOptions);
            }
            boolean showProgress = Progress.wanted(reportOptions);
            long start = System.nanoTime();
            CalibrationOptions.Resolved cal = calibration.resolve(in, runner, report, "calibrate", showProgress);
            int[][] windows = cal.windows();
            int t = cal.seqLen();
            int b = cal.batch();
            long seed = calibration.seed();
            long tokens = (long) windows.length * t;
            Map<String, String> meta = new TreeMap<>();
            Path ref = Path.of(in.reference()).getFileName();
            meta.put("model", ref == null ? in.reference() : ref.toString());
            meta.put("data", calibration.data() != null ? String.valueOf(calibration.data().getFileName()) : "self");
            meta.put("samples", Integer.toString(windows.length));
            meta.put("seq_len", Integer.toString(t));
            meta.put("seed", Long.toString(seed));
            meta.put("tokens", Long.toString(tokens));
            meta.put("gram", Boolean.toString(gram));

            int blocks = runner.blockCount();
            ActivationStats stats = Calibrator.run(runner, windows, b, gram ? Calibrator.MLP_DOWN : null, meta,
                    done -> Progress.line(showProgress, "calibrate", "calibrating", done, blocks, "blocks"));
            Progress.end(showProgress);
            OutputSpace.check(target, OutputLayout.safetensors(target.getFileName().toString(), StatsFormat.metadata(stats),
                    StatsFormat.plan(stats)).bytes());
            dev.surgeon.io.write.WrittenFile written = StatsFormat.write(target, force, stats);
            dev.surgeon.cli.InputDigests.await(in);
            double seconds = (System.nanoTime() - start) / 1e9;
            Console.note("wrote " + target);

            report.put("samples", windows.length);
            report.put("seq_len", t);
            report.put("seed", seed);
            report.put("batch", b);
            report.put("tokens", tokens);
            report.put("linears", stats.linears().size());
            report.put("block_count", blocks);
            report.put("gram", new com.google.gson.JsonPrimitive(gram));
            JsonArray cos = new JsonArray();
            JsonArray perBlock = new JsonArray();
            for (double c : stats.blockCosine()) {
                JsonObject bo = new JsonObject();
                bo.addProperty("index", perBlock.size());
                bo.addProperty("cosine", c);
                perBlock.add(bo);
                cos.add(c);
            }
            report.put("blocks", perBlock);
            report.put("block_cosine", cos);
            report.put("seconds", Math.round(seconds * 1000) / 1000.0);
            JsonArray outs = new JsonArray();
            JsonObject o = new JsonObject();
            o.addProperty("path", target.toString());
            o.addProperty("bytes", written.bytes());
            o.addProperty("sha256", written.sha256());
            outs.add(o);
            report.put("outputs", outs);
            if (!reportOptions.json) {
                System.out.printf(Locale.ROOT, "statistics of %d linears in %d blocks over %d tokens (%d sequences of %d) -> %s (%.1f s)%n",
                        stats.linears().size(), blocks, tokens, windows.length, t, target, seconds);
                System.out.flush();
            }
        }
        report.emit(reportOptions);
        return 0;
    }

    /** {@code <model>.stats.safetensors} beside the model: its file name less .safetensors, or its folder's or archive's name. */
    static Path defaultTarget(String reference) {
        Path in = Path.of(reference).toAbsolutePath().normalize();
        String name = in.getFileName() == null ? "model" : in.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".index.json")) {
            Path dir = in.getParent();
            return dir.resolveSibling(dir.getFileName() + ".stats.safetensors");
        }
        for (String ext : new String[] {".safetensors", ".tar.gz", ".tgz", ".tar", ".zip"}) {
            if (lower.endsWith(ext)) {
                return in.resolveSibling(name.substring(0, name.length() - ext.length()) + ".stats.safetensors");
            }
        }
        return in.resolveSibling(name + ".stats.safetensors");
    }
}
