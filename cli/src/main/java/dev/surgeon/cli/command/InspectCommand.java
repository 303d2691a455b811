package dev.surgeon.cli.command;

import dev.surgeon.cli.Console;
import dev.surgeon.cli.LoggingOptions;
import dev.surgeon.cli.ThreadsOption;
import dev.surgeon.cli.ReportOptions;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.ops.inspect.ModelSummary;
import dev.surgeon.ops.inspect.TensorStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code surgeon inspect}: what a checkpoint holds, from its headers (and, with --stats, its data). */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Summarize a model: architecture, blocks, parameters by dtype, role and block, files and metadata.",
                "Reads headers and config.json only (fast at any size) unless --stats is given.",
                "A config.json that disagrees with the weights is a warning, not an error."})
public final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL",
            description = "A .safetensors file, an index.json, a model folder, or a .tar/.tar.gz/.zip of one.")
    String model;

    @Option(names = "--tensors", description = "List every tensor: name, dtype, shape, parameters, bytes, block, role. Default: off.")
    boolean tensors;

    @Option(names = "--stats",
            description = {"Read every tensor's data (streamed) for min, max, mean, std (over finite values), zero fraction,"
                    + " NaN and Inf counts, and the sparsity (zero fraction) of the prunable weights per block and in total,"
                    + " counted as prune reports it; implies --tensors. Opaque dtypes (F4, F6, F8_E8M0, FNUZ, C64) are skipped"
                    + " with a note. Default: off (header only)."})
    boolean stats;

    @Mixin
    ThreadsOption threads;

    @Mixin
    ReportOptions reportOptions;

    @Mixin
    LoggingOptions logging;

    @Override
    public Integer call() {
        Report report = new Report("inspect");
        try (Checkpoint c = Checkpoint.open(model)) {
            InputReport.add(report, c);
            ModelSummary s = ModelSummary.of(c);
            report.warnAll(s.warnings());
            Map<String, TensorStats> st = stats ? TensorStats.ofAll(c.tensors().values(), threads.get()) : null;
            BlockSparsity sparsity = st == null ? null : BlockSparsity.of(c, st);
            com.google.gson.JsonObject m = InspectView.model(s, st, tensors);
            if (sparsity != null) {
                m.addProperty("prunable", sparsity.prunable());
                m.addProperty("sparsity", sparsity.sparsity());
                m.addProperty("sparsity_total", sparsity.sparsityTotal());
            }
            report.put("model", m);
            report.put("blocks", InspectView.blocks(s, sparsity));
            if (!reportOptions.json) {
                InspectView.print(System.out, s, st, tensors, sparsity);
                System.out.flush();
            }
        }
        report.emit(reportOptions);
        return 0;
    }
}
