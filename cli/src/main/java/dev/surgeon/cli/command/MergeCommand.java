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
import dev.surgeon.cli.VocabOption;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.ops.align.AlignedModels;
import dev.surgeon.ops.align.TensorGroup;
import dev.surgeon.ops.merge.MagnitudeThreshold;
import dev.surgeon.ops.merge.MergeMethod;
import dev.surgeon.ops.merge.MergePlan;
import dev.surgeon.ops.merge.MergeSpec;
import dev.surgeon.ops.merge.MergeStatistics;
import dev.surgeon.ops.merge.SignElection;
import dev.surgeon.ops.merge.Slerp;
import dev.surgeon.ops.scale.Lines;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code surgeon merge}: task arithmetic, TIES, DARE and SLERP, optionally with LiNeS (METHODS.md, "Merging baselines"). */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Merge fine-tuned models that share BASE: task vectors tau_t = FT_t - BASE combined by task arithmetic, "
                + "TIES or DARE and added back to BASE, or SLERP between BASE and one model.",
                "task-arithmetic: BASE + lambda * sum_t w_t * tau_t.",
                "ties: keep the top --density of each tau_t by |tau| over the whole model (exact threshold, ties kept), "
                        + "elect each coordinate's sign by the sign of sum_t tau_t (when 0: the majority sign over coordinates), "
                        + "average the agreeing entries, BASE + lambda * tau_m.",
                "dare: drop each entry of each tau_t with probability --drop-rate (seeded), rescale the rest by 1/(1-p), "
                        + "then task-arithmetic or ties (--then; the drop replaces TIES's trim).",
                "slerp: spherical interpolation per tensor between BASE (t = 0) and one model (t = 1); "
                        + "linear when the tensors are nearly collinear (|cos| > 0.9995).",
                "--lines: LiNeS on the merged task vector: block l gets alpha + beta * l / (L - 1), outside blocks alpha, "
                        + "alpha = (1/T) * ||sum_t tau_t||_1 / ||tau_merged||_1 (1/T for task arithmetic).",
                "Floating-point tensors are merged in F32 and rounded once to their dtype (or --dtype); others are copied from BASE. "
                        + "All models must have the same tensor names, shapes, dtypes and block count (else exit 3)."},
        footer = {"", "Examples:",
                "  surgeon merge base/ ft-a/ ft-b/ --method task-arithmetic --lambda 0.5 -o merged/",
                "  surgeon merge base/ ft-a/ ft-b/ --method ties --density 0.2 --lines -o merged/",
                "  surgeon merge base/ ft/ --method slerp --t 0,0.5,1 -o merged/"})
public final class MergeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "BASE", description = "The pre-trained model theta_0 (file, index, folder or archive).")
    String base;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "FT",
            description = "Fine-tuned models of BASE (one or more; exactly one for slerp).")
    List<String> finetuned = new ArrayList<>();

    @Option(names = "--method", paramLabel = "METHOD", required = true,
            description = "task-arithmetic, ties, dare or slerp. Required.")
    String method;

    @Option(names = "--lambda", paramLabel = "L",
            description = "Scale of the merged task vector (task-arithmetic, ties, dare). Default: 1.0. Not with --lines.")
    Double lambda;

    @Option(names = "--weights", paramLabel = "W1,W2,..",
            description = "Per-model weights w_t, one per FT (task-arithmetic, dare --then task-arithmetic). Default: all 1.")
    String weights;

    @Option(names = "--normalize", description = "Divide the weights by their sum (task-arithmetic). Default: off.")
    boolean normalize;

    @Option(names = "--density", paramLabel = "D",
            description = "TIES: fraction of each task vector's entries kept, by magnitude over the whole model, in [0, 1]. Default: 0.2 (the authors' k = 20).")
    Double density;

    @Option(names = "--drop-rate", paramLabel = "P",
            description = "DARE: probability of dropping each task-vector entry, in [0, 1]. Default: 0.1 (MergeLM's --weight_mask_rate).")
    Double dropRate;

    @Option(names = "--no-rescale", description = "DARE: do not rescale kept entries by 1/(1 - p). Default: rescale.")
    boolean noRescale;

    @Option(names = "--then", paramLabel = "METHOD",
            description = "DARE: combine the dropped task vectors by task-arithmetic or ties (sign election and disjoint mean, no trim). Default: task-arithmetic.")
    String then;

    @Option(names = "--t", paramLabel = "T[,T..]",
            description = "SLERP: interpolation factor in [0, 1] (0 = BASE), or a list spread linearly over block depth "
                    + "(block l at position l/(L-1); embeddings take the first value, final norm and lm_head the last). Default: 0.5.")
    String t;

    @Option(names = "--seed", paramLabel = "S",
            description = "DARE's random seed; the drop of every entry is a function of (seed, model, tensor, element). Default: 0.")
    Long seed;

    @Option(names = "--lines", description = "Apply LiNeS to the merged task vector (not slerp; not with --lambda). Default: off.")
    boolean lines;

    @Option(names = "--beta", paramLabel = "B",
            description = "LiNeS: increase of lambda from the first block to the last. Default: 0.5 (the authors' grid is 0.1 ... 1.0, 1.5 for TIES).")
    Double beta;

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
        MergeSpec spec = MergeSpec.resolve(new MergeSpec.Given(method, lambda, weights, normalize, density, dropRate,
                noRescale, then, t, seed, lines, beta), finetuned.size());
        DType target = dtype.get();
        boolean vocabBase = vocab.base();
        int workers = threads.get();
        budget.apply();
        Report report = new Report("merge");
        report.put("method", spec.method().cliName);
        if (spec.method() == MergeMethod.DARE) {
            report.put("seed", spec.seed());
        }
        List<Checkpoint> opened = new ArrayList<>();
        try {
            opened.add(Checkpoint.open(base));
            for (String f : finetuned) {
                opened.add(Checkpoint.open(f));
            }
            opened.forEach(c -> InputReport.add(report, c));
            Checkpoint b = opened.get(0);
            AlignedModels models = AlignedModels.of(b, opened.subList(1, opened.size()), vocabBase);
            if (models.blockCount() == 0 && (spec.lines() || spec.t().length > 1)) {
                report.warn("the layer map found no transformer blocks in " + b.reference()
                        + ": every tensor gets the value of tensors outside blocks");
            }
            if (dryRun.on()) {
                // MergePlan.build makes TIES's and SLERP's passes over the data; the shapes need none of them
                return ElementwiseDryRun.plan(report, "merge", "merged", recipe(spec, target, vocabBase, output), opened, output,
                        ElementwiseDryRun.shapes(models, target), ConvertCommand.configFor(b, target),
                        ElementwiseDryRun.floats(models), workers).finish(report, reportOptions);
            }
            MergePlan plan = MergePlan.build(models, spec, target, workers);
            report.put("params", params(spec, plan, target, vocabBase));
            report.put("blocks", blocks(plan));
            summarize(plan);
            JsonObject summary = report.summary();
            long params = b.tensors().values().stream().mapToLong(r -> r.info().numel()).sum();
            summary.addProperty("params_before", params);
            summary.addProperty("params_after", params);
            ModelOutput.write("merge", recipe(spec, target, vocabBase, output), opened, output, "merged", plan.tensors(),
                    ConvertCommand.configFor(b, target), report);
            report.put("tensors", tensors(plan));
        } finally {
            for (Checkpoint c : opened) {
                c.close();
            }
        }
        report.emit(reportOptions);
        return 0;
    }

    /** The output's recipe: the resolved options (thresholds and alpha are derived, so they are not options). */
    private static Map<String, Object> recipe(MergeSpec spec, DType target, boolean vocabBase, OutputOptions output) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("method", spec.method().cliName);
        r.put("models", spec.tasks());
        MergeMethod m = spec.method();
        if (m != MergeMethod.SLERP) {
            r.put("lambda", spec.lines() ? null : spec.lambda());
        }
        if (m == MergeMethod.TASK_ARITHMETIC || spec.then() == MergeMethod.TASK_ARITHMETIC) {
            r.put("weights", spec.weights());
            r.put("normalize", spec.normalize());
        }
        if (m == MergeMethod.TIES) {
            r.put("density", spec.density());
        }
        if (m == MergeMethod.DARE) {
            r.put("drop_rate", spec.dropRate());
            r.put("rescale", spec.rescale());
            r.put("then", spec.then().cliName);
            r.put("seed", spec.seed());
        }
        if (m == MergeMethod.SLERP) {
            r.put("t", spec.t());
        }
        if (spec.lines()) {
            r.put("lines", true);
            r.put("beta", spec.beta());
        }
        r.put("dtype", target == null ? null : target.name());
        r.put("vocab", vocabBase ? "base" : null);
        r.put("max_shard_size", output.maxShardBytes() == 0 ? null : output.maxShardBytes());
        return r;
    }

    private static JsonObject params(MergeSpec spec, MergePlan plan, DType target, boolean vocabBase) {
        JsonObject p = new JsonObject();
        MergeMethod m = spec.method();
        p.addProperty("method", m.cliName);
        p.addProperty("models", spec.tasks());
        p.addProperty("L", plan.blockCount());
        p.addProperty("elements", plan.elements());
        if (m != MergeMethod.SLERP && !spec.lines()) {
            p.addProperty("lambda", spec.lambda());
        }
        if (m == MergeMethod.TASK_ARITHMETIC || spec.then() == MergeMethod.TASK_ARITHMETIC) {
            p.add("weights", numbers(spec.weights()));
            p.addProperty("normalize", spec.normalize());
            p.add("coefficients", numbers(spec.coefficients()));
        }
        MagnitudeThreshold trim = plan.trim();
        if (trim != null) {
            p.addProperty("density", spec.density());
            p.addProperty("keep_count", trim.keepCount());
            double[] thr = new double[spec.tasks()];
            for (int i = 0; i < thr.length; i++) {
                thr[i] = trim.threshold(i);
            }
            // +Infinity (density 0: nothing kept) becomes null in the strict JSON
            p.add("thresholds", numbers(thr));
        }
        if (m == MergeMethod.DARE) {
            p.addProperty("drop_rate", spec.dropRate());
            p.addProperty("rescale", spec.rescale());
            p.addProperty("then", spec.then().cliName);
            p.addProperty("seed", spec.seed());
        }
        MergeStatistics st = plan.statistics();
        if (st != null && st.election() != null) {
            SignElection e = st.election();
            JsonObject sign = new JsonObject();
            sign.addProperty("positive_coordinates", e.positive());
            sign.addProperty("negative_coordinates", e.negative());
            sign.addProperty("zero_sum_coordinates", e.zeroSum());
            sign.addProperty("cancelled_coordinates", e.cancelled());
            sign.addProperty("majority_sign", e.majority());
            p.add("sign_election", sign);
        }
        if (m == MergeMethod.SLERP) {
            p.add("t", numbers(spec.t()));
        }
        Lines l = plan.lines();
        if (l != null) {
            p.addProperty("lines", true);
            p.addProperty("alpha", l.alpha());
            p.addProperty("beta", l.beta());
            if (st != null) {
                p.addProperty("l1_sum_task_vectors", st.l1SumOfTaskVectors());
                p.addProperty("l1_merged", st.l1Merged());
            }
        }
        p.addProperty("dtype", target == null ? null : target.name());
        p.addProperty("vocab", vocabBase ? "base" : "strict");
        return p;
    }

    private static JsonArray blocks(MergePlan plan) {
        JsonArray a = new JsonArray();
        boolean slerp = plan.spec().method() == MergeMethod.SLERP;
        for (int i = 0; i < plan.blockCount(); i++) {
            JsonObject o = new JsonObject();
            o.addProperty("index", i);
            if (slerp) {
                o.addProperty("t", plan.blockT(i));
            } else {
                o.addProperty("lambda", plan.blockScale(i));
            }
            a.add(o);
        }
        return a;
    }

    /** One entry per output tensor in file order: scale and kept fractions, or SLERP's t and angle; copies say so. */
    private static JsonArray tensors(MergePlan plan) {
        JsonArray a = new JsonArray();
        for (PlannedTensor pt : plan.tensors()) {
            MergePlan.TensorFacts f = plan.facts().get(pt.name());
            TensorGroup g = f.group();
            JsonObject o = ElementwiseReport.entry(pt, g);
            if (!f.merged()) {
                o.addProperty("copied", true);
            } else if (f.slerp() != null) {
                Slerp.Coefficients c = f.slerp();
                o.addProperty("t", c.t());
                o.addProperty("cos", c.cos());
                o.addProperty("linear", c.linear());
            } else {
                o.addProperty("scale", f.scale());
                double[] kept = f.keptFraction();
                if (kept != null) {
                    o.add("kept_fraction", numbers(kept));
                }
            }
            a.add(o);
        }
        return a;
    }

    /** One line on stderr: what was merged, with the whole-model numbers. */
    private static void summarize(MergePlan plan) {
        MergeSpec spec = plan.spec();
        StringBuilder s = new StringBuilder("merge " + spec.method().cliName + " of " + Fmt.plural(spec.tasks(), "model"));
        if (plan.trim() != null) {
            s.append(", density ").append(Fmt.num(spec.density())).append(" (k = ").append(Fmt.count(plan.trim().keepCount()))
                    .append(" of ").append(Fmt.count(plan.elements())).append("), thresholds");
            for (int i = 0; i < spec.tasks(); i++) {
                s.append(' ').append(Fmt.num(plan.trim().threshold(i)));
            }
        }
        if (spec.method() == MergeMethod.DARE) {
            s.append(", drop rate ").append(Fmt.num(spec.dropRate())).append(" then ").append(spec.then().cliName)
                    .append(", seed ").append(spec.seed());
        }
        if (plan.lines() != null) {
            s.append(", LiNeS alpha ").append(Fmt.num(plan.lines().alpha())).append(" beta ").append(Fmt.num(plan.lines().beta()));
        } else if (spec.method() != MergeMethod.SLERP) {
            s.append(", lambda ").append(Fmt.num(spec.lambda()));
        }
        Console.note(s.toString());
    }

    private static JsonArray numbers(double[] v) {
        JsonArray a = new JsonArray();
        for (double d : v) {
            a.add(d);
        }
        return a;
    }
}
