package dev.surgeon.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.surgeon.cli.Console;
import dev.surgeon.cli.DryRunOption;
import dev.surgeon.cli.DtypeOption;
import dev.surgeon.cli.LoggingOptions;
import dev.surgeon.cli.ModelOutput;
import dev.surgeon.cli.OutputOptions;
import dev.surgeon.cli.ReportOptions;
import dev.surgeon.cli.MemoryBudgetOption;
import dev.surgeon.cli.ThreadsOption;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.ops.mask.MaskFile;
import dev.surgeon.ops.mask.MaskFit;
import dev.surgeon.ops.mask.MaskMode;
import dev.surgeon.ops.mask.MaskPlan;
import dev.surgeon.ops.mask.Masks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code surgeon mask apply}: materialise a GTSP mask file by zeroing or removal. */
@Command(name = "apply", mixinStandardHelpOptions = true,
        description = {"Apply a mask file (U8/BOOL safetensors: <tensor>.mask, heads.<block>, layers; 1 keeps, 0 masks) to MODEL.",
                "--mode zero (default): masked weights, the masked KV groups' q/k/v rows and o_proj columns, and a masked "
                        + "block's o_proj and down_proj are set to 0; shapes never change (a zeroed block is an identity).",
                "--mode remove: masked heads and blocks are cut out (config.json updated); weight masks are applied as zeros."},
        footer = {"", "Exit codes: 3 when the mask file is malformed or does not fit MODEL (the entry is named); "
                + "2 for ragged head counts in --mode remove without --allow-ragged."})
public final class MaskApplyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "The model (file, index, folder or archive).")
    String model;

    @Parameters(index = "1", paramLabel = "MASKS", description = "The mask file (.safetensors, format surgeon-masks).")
    Path masksFile;

    @Option(names = "--mode", paramLabel = "zero|remove", description = "zero (default) or remove.")
    String mode = "zero";

    @Option(names = "--allow-ragged", description = "--mode remove: allow blocks to keep different head counts "
            + "(config.json gets num_attention_heads_per_layer and num_key_value_heads_per_layer).")
    boolean allowRagged;

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

    @Override
    public Integer call() {
        MaskMode m = switch (mode.toLowerCase(Locale.ROOT)) {
            case "zero" -> MaskMode.ZERO;
            case "remove" -> MaskMode.REMOVE;
            default -> throw new dev.surgeon.io.error.UsageException("--mode must be zero or remove, not '" + mode + "'");
        };
        DType target = dtype.get();
        threads.get();
        budget.apply();
        Report report = new Report("mask apply");
        report.put("method", "gtsp");
        try (Checkpoint in = Checkpoint.open(model)) {
            InputReport.add(report, in);
            Masks masks = MaskFile.read(masksFile);
            LayerMap layers = new LayerMap(in.names(), in.config());
            MaskFit fit = MaskFit.of(masks, in, layers);
            MaskPlan plan = MaskPlan.build(in, layers, masks, fit, m, allowRagged, target);
            String name = String.valueOf(Path.of(model).getFileName());
            String forModel = masks.metadata().get("model");
            if (forModel != null && !forModel.equals(name)) {
                report.warn("the mask file was computed for '" + forModel + "', applied to '" + name + "'");
            }
            if (m == MaskMode.REMOVE && !masks.weights().isEmpty()) {
                report.warn("weight masks cannot remove single elements: applied as zeros");
            }
            if (m == MaskMode.REMOVE && (!fit.removedBlocks().isEmpty() || !fit.maskedGroups().isEmpty())) {
                ModelOutput.warnIfNoConfig(report, output, in, "masked", "the new head and block counts");
            }
            if (m == MaskMode.ZERO && !fit.removedBlocks().isEmpty()) {
                report.warn("zero mode: masked blocks keep their tensors; their o_proj and down_proj are zeroed so they add "
                        + "nothing to the residual stream");
            }
            Map<String, Object> recipe = new LinkedHashMap<>();
            recipe.put("mode", m.name().toLowerCase(Locale.ROOT));
            recipe.put("masks", masksFile.getFileName().toString());
            recipe.put("allow_ragged", allowRagged ? true : null);
            recipe.put("dtype", target == null ? null : target.name());
            recipe.put("max_shard_size", output.maxShardBytes() == 0 ? null : output.maxShardBytes());
            JsonObject config = plan.config();
            JsonObject written = config == null ? ConvertCommand.configFor(in, target) : ConvertCommand.withDtype(config, target);
            if (config != null && written == null) {
                written = config;
            }
            if (dryRun.on()) {
                return ElementwiseDryRun.plan(report, "mask apply", "masked", recipe, List.of(in), output, plan.tensors(), written,
                        dev.surgeon.cli.dryrun.DryRun::computed, threads.get()).finish(report, reportOptions);
            }
            report(report, m, masks, fit, plan, layers.blockCount());
            ModelOutput.write("mask apply", recipe, List.of(in), output, "masked", plan.tensors(), written, report);
            Console.note(String.format(Locale.ROOT, "mask apply (%s): %d blocks masked, %d head-masked blocks, %d weight masks; "
                            + "params %d -> %d", recipe.get("mode"), fit.removedBlocks().size(), fit.maskedGroups().size(),
                    masks.weights().size(), plan.paramsBefore(), plan.paramsAfter()));
        }
        report.emit(reportOptions);
        return 0;
    }

    private void report(Report report, MaskMode m, Masks masks, MaskFit fit, MaskPlan plan, int blocks) {
        JsonObject params = new JsonObject();
        params.addProperty("mode", m.name().toLowerCase(Locale.ROOT));
        params.addProperty("masks", masksFile.toString());
        params.addProperty("allow_ragged", allowRagged);
        masks.metadata().forEach((k, v) -> params.addProperty("mask_" + k, v));
        report.put("params", params);
        JsonObject s = report.summary();
        s.addProperty("mode", m.name().toLowerCase(Locale.ROOT));
        s.addProperty("params_before", plan.paramsBefore());
        s.addProperty("params_after", plan.paramsAfter());
        s.addProperty("layers_removed", fit.removedBlocks().size());
        JsonArray layersRemoved = new JsonArray();
        fit.removedBlocks().forEach(layersRemoved::add);
        report.put("layers_removed", layersRemoved);
        JsonArray a = new JsonArray();
        for (int b = 0; b < blocks; b++) {
            JsonObject o = new JsonObject();
            o.addProperty("index", b);
            boolean gone = fit.removedBlocks().contains(b);
            o.addProperty(m == MaskMode.REMOVE ? "removed" : "zeroed", gone);
            if (plan.queryHeadsKept(b) >= 0) {
                int h = fit.attention()[b].heads();
                int kv = fit.attention()[b].kvHeads();
                o.addProperty("heads", h);
                o.addProperty("heads_kept", plan.queryHeadsKept(b));
                o.addProperty("heads_removed", h - plan.queryHeadsKept(b));
                o.addProperty("kv_heads", kv);
                o.addProperty("kv_heads_kept", plan.kvHeadsKept(b));
                JsonArray g = new JsonArray();
                for (int x : fit.groupsOf(b)) {
                    g.add(x);
                }
                o.add("kv_groups_masked", g);
            }
            a.add(o);
        }
        report.put("blocks", a);
        JsonArray ts = new JsonArray();
        plan.zeroed().forEach((name, n) -> {
            JsonObject o = new JsonObject();
            o.addProperty("name", name);
            o.addProperty("zeroed", n);
            ts.add(o);
        });
        report.put("tensors", ts);
    }
}
