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
import dev.surgeon.cli.SearchWindows;
import dev.surgeon.cli.MemoryBudgetOption;
import dev.surgeon.cli.ThreadsOption;
import dev.surgeon.cli.VocabOption;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.ops.align.AlignedModels;
import dev.surgeon.ops.align.TensorGroup;
import dev.surgeon.ops.data.TokenData;
import dev.surgeon.ops.scale.Lines;
import dev.surgeon.ops.search.LinesSearch;
import dev.surgeon.ops.search.Nll;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code surgeon scale}: LiNeS on one fine-tuned model (METHODS.md, "LiNeS"). */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = {"LiNeS (layer-increasing network scaling) of one fine-tune: scale the task vector "
                + "tau = FINETUNED - BASE by lambda(l) = alpha + beta * l / (L - 1) in block l = 0..L-1 and write BASE + lambda * tau.",
                "Blocks and L (the real number of blocks) come from the layer map; with L = 1 the block gets alpha + beta. "
                        + "Tensors outside blocks (embeddings, final norm, lm_head) get alpha. "
                        + "Math in F32, rounded once to each tensor's dtype (round to nearest even); integer tensors are copied from BASE. "
                        + "Both models must have the same tensor names, shapes, dtypes and block count (else exit 3)."},
        footer = {"", "Search (--search): sweep alpha over 1.0, 0.9, ..., 0 (beta = 1 - alpha or --beta), score each candidate by mean NLL "
                + "on --target (what the fine-tune should keep) and --control (what it should not lose): "
                + "kept = (NLL_t(base) - NLL_t(edit)) / (NLL_t(base) - NLL_t(ft)), recovered = (NLL_c(ft) - NLL_c(edit)) / "
                + "(NLL_c(ft) - NLL_c(base)), score = 2 * kept + recovered; the best is written as if --alpha were given. "
                + "Each candidate is written in F32 to a temporary folder, evaluated and deleted.",
                "",
                "Examples:",
                "  surgeon scale base/ ft/ --alpha 0.5 -o ft-lines/   (blocks get 0.5 ... 1.0)",
                "  surgeon scale base/ ft/ --search --target code.bin --control prose.bin -o ft-lines/"})
public final class ScaleCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "BASE", description = "The pre-trained model theta_0 (file, index, folder or archive).")
    String base;

    @Parameters(index = "1", paramLabel = "FINETUNED", description = "The fine-tuned model theta_ft, same architecture as BASE.")
    String finetuned;

    @Option(names = "--alpha", paramLabel = "A",
            description = "Required. lambda of the first block and of every tensor outside blocks. "
                    + "The authors sweep alpha over 1.0, 0.9, ..., 0 and their example uses 0.1; "
                    + "alpha = 1 with beta = 0 reproduces FINETUNED, alpha = 0 with beta = 0 reproduces BASE. No default.")
    Double alpha;

    @Option(names = "--beta", paramLabel = "B",
            description = "Increase of lambda from the first block to the last. Default: 1 - alpha, so the last block keeps the whole update (lambda = 1).")
    Double beta;

    @Option(names = "--search", description = "Choose alpha by the sweep described below (needs --target and --control; not with --alpha).")
    boolean search;

    @Option(names = "--target", paramLabel = "FILE", description = "--search: token data of the fine-tune's task (.bin, .jsonl, .safetensors, .txt).")
    Path targetData;

    @Option(names = "--control", paramLabel = "FILE", description = "--search: token data of what the base model did well (control).")
    Path controlData;

    @Mixin
    SearchWindows windowsOption;

    @Mixin
    DtypeOption dtype;

    @Mixin
    VocabOption vocab;

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
        if (search) {
            if (alpha != null) {
                throw new UsageException("--alpha and --search both choose alpha; use one");
            }
            if (targetData == null || controlData == null) {
                throw new UsageException("--search needs --target FILE and --control FILE (token data to score each alpha on)");
            }
            windowsOption.seqLen(); // validated now, before any model is read
            windowsOption.maxWindows();
            if (beta != null && !Double.isFinite(beta)) {
                throw new UsageException("--alpha and --beta must be finite numbers");
            }
        } else if (targetData != null || controlData != null) {
            throw new UsageException("--target and --control apply to --search");
        }
        if (alpha == null && !search) {
            throw new UsageException("--alpha is required (lambda of the first block; the authors' example uses 0.1, "
                    + "their sweep 1.0 ... 0)");
        }
        if (!search && !Double.isFinite(alpha) || (beta != null && !Double.isFinite(beta))) {
            throw new UsageException("--alpha and --beta must be finite numbers");
        }
        DType target = dtype.get();
        boolean vocabBase = vocab.base();
        int threadCount = threads.get();
        budget.apply();
        Report report = new Report("scale");
        report.put("method", "lines");
        try (Checkpoint b = Checkpoint.open(base); Checkpoint f = Checkpoint.open(finetuned)) {
            InputReport.add(report, b);
            InputReport.add(report, f);
            AlignedModels models = AlignedModels.of(b, List.of(f), vocabBase);
            if (dryRun.on()) {
                return dryRun(models, b, f, target, vocabBase, threadCount, report);
            }
            if (search) {
                alpha = search(models, b, threadCount, report);
            }
            Lines lines = Lines.of(alpha, beta, models.blockCount());
            if (models.blockCount() == 0) {
                report.warn("the layer map found no transformer blocks in " + b.reference() + ": every tensor gets alpha = " + alpha);
            }
            List<PlannedTensor> plan = lines.plan(models, target, threadCount);

            Map<String, Object> recipe = recipe(lines, target, vocabBase);

            JsonObject params = new JsonObject();
            params.addProperty("alpha", lines.alpha());
            params.addProperty("beta", lines.beta());
            params.addProperty("beta_default", beta == null);
            params.addProperty("L", lines.blockCount());
            params.addProperty("dtype", target == null ? null : target.name());
            params.addProperty("vocab", vocabBase ? "base" : "strict");
            report.put("params", params);
            report.put("blocks", blocks(lines));
            report.put("tensors", tensors(models, plan, lines));

            summarize(lines);
            ModelOutput.write("scale", recipe, List.of(b, f), output, "scaled", plan, ConvertCommand.configFor(b, target), report);
        }
        report.emit(reportOptions);
        return 0;
    }

    /** --dry-run: the plan without the search (the output's shapes do not depend on alpha). */
    private int dryRun(AlignedModels models, Checkpoint b, Checkpoint f, DType target, boolean vocabBase, int threadCount,
                       Report report) {
        if (search) {
            dev.surgeon.cli.CalibrationPlan.readable(targetData);
            dev.surgeon.cli.CalibrationPlan.readable(controlData);
        }
        Lines lines = Lines.of(search ? 1.0 : alpha, beta, models.blockCount());
        List<PlannedTensor> plan = search ? ElementwiseDryRun.shapes(models, target) : lines.plan(models, target, threadCount);
        Map<String, Object> recipe = recipe(lines, target, vocabBase);
        var d = ElementwiseDryRun.plan(report, "scale", "scaled", recipe, List.of(b, f), output, plan, ConvertCommand.configFor(b, target),
                search ? ElementwiseDryRun.floats(models) : dev.surgeon.cli.dryrun.DryRun::computed, threadCount);
        if (search) {
            d.inexact("--search: the header sizes assume alpha 1.0 (the chosen alpha is recorded in the recipe); the sweep "
                    + "(11 candidates, each written in F32 to a temporary folder and evaluated on --target and --control) "
                    + "is not in the time estimate");
        }
        return d.finish(report, reportOptions);
    }

    /** What goes into surgeon.recipe: the schedule and the output's form. */
    private Map<String, Object> recipe(Lines lines, DType target, boolean vocabBase) {
        Map<String, Object> recipe = new LinkedHashMap<>();
        recipe.put("alpha", lines.alpha());
        recipe.put("beta", lines.beta());
        recipe.put("dtype", target == null ? null : target.name());
        recipe.put("vocab", vocabBase ? "base" : null);
        recipe.put("max_shard_size", output.maxShardBytes() == 0 ? null : output.maxShardBytes());
        return recipe;
    }

    /** Runs the alpha sweep, reports it and returns the chosen alpha. */
    private double search(AlignedModels models, Checkpoint b, int threadCount, Report report) {
        int[][] tw = Nll.windows(TokenData.load(targetData, b), windowsOption.seqLen(), windowsOption.maxWindows());
        int[][] cw = Nll.windows(TokenData.load(controlData, b), windowsOption.seqLen(), windowsOption.maxWindows());
        Console.note("LiNeS search: " + tw.length + " target and " + cw.length + " control windows of " + windowsOption.seqLen()
                + " tokens; alpha 1.0 ... 0");
        LinesSearch.Result r = LinesSearch.run(models, beta, tw, cw, threadCount, row -> Console.note(String.format(Locale.ROOT,
                "search: alpha %.1f beta %.2f: NLL target %.5f control %.5f, kept %.3f, recovered %.3f, score %.3f",
                row.alpha(), row.beta(), row.nllTarget(), row.nllControl(), row.kept(), row.recovered(), row.score())));
        JsonObject s = new JsonObject();
        s.addProperty("target", targetData.toString());
        s.addProperty("control", controlData.toString());
        s.addProperty("seq_len", windowsOption.seqLen());
        s.addProperty("target_windows", tw.length);
        s.addProperty("control_windows", cw.length);
        s.addProperty("nll_target_base", r.targetBase());
        s.addProperty("nll_target_ft", r.targetFt());
        s.addProperty("nll_control_base", r.controlBase());
        s.addProperty("nll_control_ft", r.controlFt());
        JsonArray rows = new JsonArray();
        for (LinesSearch.Row row : r.rows()) {
            JsonObject o = new JsonObject();
            o.addProperty("alpha", row.alpha());
            o.addProperty("beta", row.beta());
            o.addProperty("nll_target", row.nllTarget());
            o.addProperty("nll_control", row.nllControl());
            o.addProperty("target_kept", row.kept());
            o.addProperty("control_recovered", row.recovered());
            o.addProperty("score", row.score());
            rows.add(o);
        }
        s.add("sweep", rows);
        s.addProperty("chosen_alpha", r.best().alpha());
        report.put("search", s);
        if (!reportOptions.json) {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "LiNeS search (score = 2 * target_kept + control_recovered)%n"));
            sb.append(String.format(Locale.ROOT, "  base: NLL target %.5f, control %.5f; finetuned: target %.5f, control %.5f%n",
                    r.targetBase(), r.controlBase(), r.targetFt(), r.controlFt()));
            sb.append(String.format(Locale.ROOT, "  %5s %6s %10s %11s %7s %9s %7s%n",
                    "alpha", "beta", "NLL_target", "NLL_control", "kept", "recovered", "score"));
            for (LinesSearch.Row row : r.rows()) {
                sb.append(String.format(Locale.ROOT, "  %5.1f %6.2f %10.5f %11.5f %7.3f %9.3f %7.3f%s%n", row.alpha(), row.beta(),
                        row.nllTarget(), row.nllControl(), row.kept(), row.recovered(), row.score(),
                        row == r.best() ? "  <- chosen" : ""));
            }
            sb.append(String.format(Locale.ROOT, "chosen alpha %.1f%n", r.best().alpha()));
            System.out.print(sb);
            System.out.flush();
        }
        return r.best().alpha();
    }

    /** One line on stderr: the schedule's ends. */
    private static void summarize(Lines lines) {
        int last = lines.blockCount() - 1;
        String blocks = last < 0 ? "no blocks" : last == 0 ? "block 0 x " + Fmt.num(lines.lambda(0))
                : "block 0 x " + Fmt.num(lines.lambda(0)) + " ... block " + last + " x " + Fmt.num(lines.lambda(last));
        Console.note("LiNeS: alpha " + Fmt.num(lines.alpha()) + ", beta " + Fmt.num(lines.beta()) + ", L " + lines.blockCount()
                + ": " + blocks + ", outside blocks x " + Fmt.num(lines.alpha()));
    }

    private static JsonArray blocks(Lines lines) {
        JsonArray a = new JsonArray();
        for (int i = 0; i < lines.blockCount(); i++) {
            JsonObject o = new JsonObject();
            o.addProperty("index", i);
            o.addProperty("lambda", lines.lambda(i));
            a.add(o);
        }
        return a;
    }

    /** One entry per output tensor in file order: the scale applied to its task vector (0 for a copy of BASE). */
    private static JsonArray tensors(AlignedModels models, List<PlannedTensor> plan, Lines lines) {
        Map<String, TensorGroup> byName = ElementwiseReport.groups(models);
        JsonArray a = new JsonArray();
        for (PlannedTensor t : plan) {
            TensorGroup g = byName.get(t.name());
            JsonObject o = ElementwiseReport.entry(t, g);
            if (g.isFloat()) {
                o.addProperty("scale", lines.lambda(g));
            } else {
                o.addProperty("scale", 0.0);
                o.addProperty("copied", true);
            }
            a.add(o);
        }
        return a;
    }
}
