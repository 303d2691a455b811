package dev.surgeon.cli.command;

import dev.surgeon.cli.DryRunOption;
import dev.surgeon.cli.DtypeOption;
import dev.surgeon.cli.LoggingOptions;
import dev.surgeon.cli.ModelOutput;
import dev.surgeon.cli.MemoryBudgetOption;
import dev.surgeon.cli.OutputOptions;
import dev.surgeon.cli.ThreadsOption;
import dev.surgeon.cli.ReportOptions;
import dev.surgeon.cli.dryrun.DryRun;
import dev.surgeon.cli.dryrun.Estimate;
import dev.surgeon.cli.dryrun.ModelSize;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.ops.convert.ConvertPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code surgeon convert}: dtype conversion and resharding; with no option, a faithful rewrite. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Rewrite a model, optionally casting floating-point tensors to another dtype and resharding.",
                "Without options the data section is reproduced byte for byte (only __metadata__ changes)."})
public final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "A .safetensors file, an index.json, a model folder, or a .tar/.tar.gz/.zip of one.")
    String model;

    @Mixin
    DtypeOption dtype;

    @Mixin
    ThreadsOption threads;

    @Mixin
    MemoryBudgetOption budget;

    @Mixin
    OutputOptions output;

    @Mixin
    ReportOptions reportOptions;

    @Mixin
    DryRunOption dryRun;

    @Mixin
    LoggingOptions logging;

    /** config.json with torch_dtype following the cast, so loaders pick the stored precision. */
    static com.google.gson.JsonObject configFor(Checkpoint in, DType target) {
        return withDtype(in.config(), target);
    }

    /** {@code config} with torch_dtype naming {@code target}; null when nothing changes (no target, no config, no torch_dtype). */
    static com.google.gson.JsonObject withDtype(com.google.gson.JsonObject config, DType target) {
        if (target == null || config == null || !config.has("torch_dtype")) {
            return null;
        }
        com.google.gson.JsonObject c = config.deepCopy();
        c.addProperty("torch_dtype", target == DType.BF16 ? "bfloat16" : target == DType.F16 ? "float16" : "float32");
        return c;
    }


    @Override
    public Integer call() {
        DType target = dtype.get();
        int threadCount = threads.get();
        budget.apply();
        Report report = new Report("convert");
        try (Checkpoint in = Checkpoint.open(model)) {
            List<PlannedTensor> plan = ConvertPlan.build(in, target);
            Map<String, Object> recipe = new LinkedHashMap<>();
            recipe.put("dtype", target == null ? null : target.name());
            recipe.put("max_shard_size", output.maxShardBytes() == 0 ? null : output.maxShardBytes());
            report.put("params", Report.gson().toJsonTree(recipe));
            InputReport.add(report, in);
            if (dryRun.on()) {
                DryRun d = DryRun.model(report, "convert", recipe, List.of(in), output, "converted", plan, configFor(in, target),
                        DryRun::computed);
                return d.estimate(Estimate.elementwise(ModelSize.of(in), 1, threadCount, in.totalBytes(), d.bytes()))
                        .finish(report, reportOptions);
            }
            ModelOutput.write("convert", recipe, List.of(in), output, "converted", plan, configFor(in, target), report);
        }
        report.emit(reportOptions);
        return 0;
    }
}
