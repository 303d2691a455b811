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
import dev.surgeon.ops.average.Ama;
import dev.surgeon.ops.average.HmaRatios;
import dev.surgeon.ops.average.Parts;
import dev.surgeon.ops.average.RatiosFile;
import dev.surgeon.ops.calib.SelfSampler;
import dev.surgeon.ops.data.TokenData;
import dev.surgeon.ops.runner.Perplexity;
import dev.surgeon.ops.runner.Runners;
import dev.surgeon.ops.runner.TransformerRunner;
import dev.surgeon.ops.search.HmaSearch;
import dev.surgeon.ops.search.Nll;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code surgeon average}: AMA, adaptive model averaging of a model before and after RLHF (METHODS.md, "AMA"). */
@Command(name = "average", mixinStandardHelpOptions = true,
        description = {"Model averaging of PRE (before RLHF/SFT) and POST (after): theta = (1 - W) * PRE + W * POST, "
                + "W being the weight of POST (the paper's alpha). The authors' code states r = 1 - W, the weight of PRE; "
                + "the report gives both.",
                "Modes:",
                "  MA (no --ratios / --ratios-file): every tensor gets --weight.",
                "  Partwise (--ratios or a file with \"ratios\"): block N is in part k = number of pivots p with N > p; "
                        + "part k gets W_k; embeddings (and other tensors outside blocks) use W_1 of part 0; "
                        + "the final norm and lm_head use --weight.",
                "  HMA (a --ratios-file with \"logits\"): r_k = r * K * (sigmoid(s_k) + eps) / sum_j (sigmoid(s_j) + eps) "
                        + "with r = 1 - W (the mean of r_k is r), W_k = 1 - r_k clamped to [0,1] with a warning; only the "
                        + "2-D attention and MLP weights of blocks get W_k and lm_head W; embeddings, norms and biases are copied from PRE.",
                "Parts: --pivots, else --blocks K, else the file's \"pivots\", else the authors' 3 parts: pivots 7,15 "
                        + "(blocks [0,8) [8,16) [16,L)) for L <= 30 and 10,20 above, or --blocks 3 when L <= 16 is too small for them.",
                "Math in F32, rounded once to each tensor's dtype (round to nearest even). Both models must have the same tensor names, shapes, "
                        + "dtypes and block count (else exit 3)."},
        footer = {"", "Usage errors (exit 2): --ratios with --ratios-file; --pivots with --blocks; --pivots or --blocks "
                + "without --ratios or --ratios-file; --epsilon without HMA logits; a ratio or --weight outside [0,1]; "
                + "a list that does not parse; a count of ratios or logits other than the number of parts; pivots not "
                + "strictly increasing in [0, L-2]; --blocks K outside [1, L]. An unreadable --ratios-file is exit 4.",
                "",
                "Search (--search): HMA logits chosen by forward passes only: minimise the mean NLL of the HMA-averaged model on "
                        + "--data windows + 1e-4 * sum_k w(l_k) * |r_k - r| (l_k the middle block of part k, w(l) = 25 / (|l - L/2| + 1)), "
                        + "by coordinate search over the K logits from equal ratios (s_k = logit(r)), steps 1, 0.5, 0.25, ..., "
                        + "accepting only improvements, so the result is never worse than the start; --steps candidates are evaluated "
                        + "(each written in F32 to a temporary folder, evaluated and deleted). The result is written as the output.",
                "",
                "Examples:",
                "  surgeon average pre/ post/ --weight 0.8 -o avg/",
                "  surgeon average pre/ post/ --search --data proxy.jsonl --blocks 3 -o avg/",
                "  surgeon average pre/ post/ --search --calib self --seq-len 64 --max-windows 16 -o avg/",
                "  surgeon average pre/ post/ --ratios 0.9,0.8,0.6 --pivots 7,15 -o avg/",
                "  surgeon average pre/ post/ --ratios-file hma.json -o avg/     (hma.json: {\"logits\": [0.3, -0.2, 0.1], \"epsilon\": 0.2})"})
public final class AverageCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PRE", description = "The model before RLHF / SFT (weight 1 - W).")
    String pre;

    @Parameters(index = "1", paramLabel = "POST", description = "The model after RLHF (weight W), same architecture as PRE.")
    String post;

    @Option(names = "--weight", paramLabel = "W",
            description = "Global weight of POST, in [0,1]: every tensor in MA mode; the final norm and lm_head otherwise; "
                    + "r = 1 - W in HMA. Default: ${DEFAULT-VALUE} (the authors' r = 0.2).")
    double weight = Ama.DEFAULT_WEIGHT;

    @Option(names = "--ratios", paramLabel = "W1,W2,...",
            description = "Partwise MA: the POST weight of each part, in [0,1], one per part. Default: none (plain MA).")
    String ratios;

    @Option(names = "--pivots", paramLabel = "P1,P2,...",
            description = "Split blocks into parts at these block indices (block N is in part k = number of pivots p with N > p; "
                    + "K = pivots + 1). Needs --ratios or --ratios-file. Default: the authors' parts (see above).")
    String pivots;

    @Option(names = "--blocks", paramLabel = "K",
            description = "Split blocks into K parts of floor(L/K) blocks, the remainder in the last part. "
                    + "Needs --ratios or --ratios-file. Default: the authors' parts (see above).")
    Integer blocks;

    @Option(names = "--ratios-file", paramLabel = "FILE",
            description = "JSON: {\"logits\": [s_1..s_K], \"epsilon\": eps} (HMA) or {\"ratios\": [W_1..W_K]} (partwise), "
                    + "optionally with \"pivots\": [...]; --pivots, --blocks and --epsilon override the file's.")
    Path ratiosFile;

    @Option(names = "--epsilon", paramLabel = "E",
            description = "HMA epsilon (>= 0), added to each sigmoid(s_k). Default: the file's \"epsilon\", else "
                    + HmaRatios.DEFAULT_EPSILON + " (the authors').")
    Double epsilon;

    @Option(names = "--search", description = "Search the HMA logits on --data (see below); not with --ratios or --ratios-file.")
    boolean search;

    @Option(names = "--data", paramLabel = "FILE", description = "--search: proxy token data (.bin, .jsonl, .safetensors, .txt).")
    Path data;

    @Option(names = "--calib", paramLabel = "SOURCE",
            description = "--search: 'self' samples the proxy data from POST (max-windows sequences of seq-len + 1 tokens, "
                    + "seeded by --seed; no KV cache, so keep it small) instead of --data.")
    String calib;

    @Option(names = "--steps", paramLabel = "S", description = "--search: candidates evaluated after the start. Default: ${DEFAULT-VALUE}.")
    int steps = 30;

    @Option(names = "--seed", paramLabel = "N", description = "--search: seed of the coordinate and sign order. Default: ${DEFAULT-VALUE}.")
    long seed = 0;

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
        checkUnit("--weight", weight);
        if (ratios != null && ratiosFile != null) {
            throw new UsageException("--ratios and --ratios-file both give part ratios; use one");
        }
        if (pivots != null && blocks != null) {
            throw new UsageException("--pivots and --blocks both choose the parts; use one");
        }
        if (search) {
            if (ratios != null || ratiosFile != null) {
                throw new UsageException("--search finds the HMA ratios itself; it does not take --ratios or --ratios-file");
            }
            if (calib != null && data != null) {
                throw new UsageException("--data and --calib both give the proxy data; use one");
            }
            if (calib != null && !calib.equals("self")) {
                throw new UsageException("--calib " + calib + ": the only sampled proxy data is 'self' (sequences sampled from POST); "
                        + "or give the proxy data with --data FILE");
            }
            if (data == null && calib == null) {
                throw new UsageException("--search needs proxy data: --data FILE or --calib self");
            }
            if (steps < 0) {
                throw new UsageException("--steps must be at least 0, not " + steps);
            }
            windowsOption.seqLen(); // validated now, before any model is read
            windowsOption.maxWindows();
        } else if (data != null || calib != null) {
            throw new UsageException((data != null ? "--data" : "--calib") + " applies to --search");
        }
        boolean partwise = ratios != null || ratiosFile != null || search;
        if ((pivots != null || blocks != null) && !partwise) {
            throw new UsageException((pivots != null ? "--pivots" : "--blocks")
                    + " splits the blocks into parts, which needs --ratios or --ratios-file (plain MA has one weight, --weight)");
        }
        if (epsilon != null && ratiosFile == null && !search) {
            throw new UsageException("--epsilon applies to HMA logits, which come from --ratios-file");
        }
        if (epsilon != null && !(epsilon >= 0 && epsilon < Double.POSITIVE_INFINITY)) {
            throw new UsageException("--epsilon must be a finite number >= 0, not " + epsilon);
        }
        double[] ratioValues = ratios == null ? null : parseDoubles("--ratios", ratios);
        if (ratioValues != null) {
            for (double r : ratioValues) {
                checkUnit("--ratios value", r);
            }
        }
        int[] pivotValues = pivots == null ? null : parseInts("--pivots", pivots);
        DType target = dtype.get();
        boolean vocabBase = vocab.base();
        int threadCount = threads.get();
        budget.apply();
        RatiosFile file = ratiosFile == null ? null : RatiosFile.read(ratiosFile);
        if (file != null && epsilon != null && !file.isHma()) {
            throw new UsageException("--epsilon applies to HMA logits, but " + ratiosFile + " gives \"ratios\"");
        }

        Report report = new Report("average");
        report.put("method", "ama");
        if (file != null) {
            report.warnAll(file.warnings());
        }
        try (Checkpoint a = Checkpoint.open(pre); Checkpoint b = Checkpoint.open(post)) {
            InputReport.add(report, a);
            InputReport.add(report, b);
            AlignedModels models = AlignedModels.of(a, List.of(b), vocabBase);
            int blockCount = models.blockCount();
            Ama ama;
            if (!partwise) {
                ama = Ama.plain(weight);
            } else {
                Parts parts = pivotValues != null ? Parts.ofPivots(pivotValues, blockCount)
                        : blocks != null ? Parts.ofBlocks(blocks, blockCount)
                        : file != null && file.pivots() != null ? Parts.ofPivots(file.pivots(), blockCount, "ratios-file pivots")
                        : Parts.authorsDefault(blockCount);
                if (search && dryRun.on()) {
                    dev.surgeon.cli.CalibrationPlan.readable(data);
                    // the searched logits change only the values, not the shapes: plan with the search's start
                    ama = Ama.hma(weight, parts, new double[parts.count()], epsilon != null ? epsilon : HmaRatios.DEFAULT_EPSILON);
                } else if (search) {
                    double eps = epsilon != null ? epsilon : HmaRatios.DEFAULT_EPSILON;
                    ama = search(models, a, parts, eps, threadCount, report);
                } else if (file != null && file.isHma()) {
                    double eps = epsilon != null ? epsilon : file.epsilon() != null ? file.epsilon() : HmaRatios.DEFAULT_EPSILON;
                    ama = Ama.hma(weight, parts, file.logits(), eps);
                } else {
                    ama = Ama.partwise(weight, parts, file != null ? file.ratios() : ratioValues);
                }
            }
            report.warnAll(ama.warnings());
            List<PlannedTensor> plan = ama.plan(models, target, threadCount);
            if (dryRun.on()) {
                var d = ElementwiseDryRun.plan(report, "average", "averaged", recipe(ama, target, vocabBase), List.of(a, b), output, plan,
                        ConvertCommand.configFor(a, target), dev.surgeon.cli.dryrun.DryRun::computed, threadCount);
                if (search) {
                    d.inexact("--search: planned with the search's start (equal ratios); the searched logits, recorded in "
                            + "the header's recipe, change its length by a few bytes and which tensors HMA leaves alone; "
                            + "the search itself (" + steps + " steps of proxy NLL evaluations) is not in the time estimate");
                }
                return d.finish(report, reportOptions);
            }

            report.put("params", params(ama, target, vocabBase, blockCount));
            report.put("blocks", blocks(ama, blockCount));
            report.put("tensors", tensors(models, plan, ama));
            summarize(ama);
            ModelOutput.write("average", recipe(ama, target, vocabBase), List.of(a, b), output, "averaged", plan,
                    ConvertCommand.configFor(a, target), report);
        }
        report.emit(reportOptions);
        return 0;
    }

    /** The HMA logit search; reports the figures and returns the HMA found. */
    private Ama search(AlignedModels models, Checkpoint a, Parts parts, double eps, int threadCount, Report report) {
        int[][] windows;
        String source;
        if (data != null) {
            windows = Nll.windows(TokenData.load(data, a), windowsOption.seqLen(), windowsOption.maxWindows());
            source = data.toString();
        } else {
            Console.note("HMA search: sampling " + windowsOption.maxWindows() + " sequences of " + (windowsOption.seqLen() + 1) + " tokens from POST");
            try (TransformerRunner runner = Runners.open(models.others().get(0))) {
                windows = SelfSampler.sample(runner, windowsOption.maxWindows(), windowsOption.seqLen() + 1, seed, Perplexity.defaultBatch(runner, windowsOption.seqLen() + 1),
                        done -> { });
            }
            source = "self (sampled from POST, seed " + seed + ")";
        }
        Console.note("HMA search: " + parts.count() + " parts " + parts.describe() + ", " + windows.length + " windows of "
                + windowsOption.seqLen() + " tokens, " + steps + " steps");
        HmaSearch.Result r = HmaSearch.run(models, parts, weight, eps, windows, steps, seed, threadCount,
                line -> Console.note("search: " + line));
        JsonObject s = new JsonObject();
        s.addProperty("data", source);
        s.addProperty("seq_len", windowsOption.seqLen());
        s.addProperty("windows", windows.length);
        s.addProperty("steps", steps);
        s.addProperty("evaluations", r.evaluations());
        s.addProperty("seed", seed);
        s.addProperty("reg", HmaSearch.REG);
        s.addProperty("nll_ma", r.maNll());
        s.add("start", point(r.start()));
        s.add("result", point(r.best()));
        // every evaluation in order, for the sweep curve of the HTML report
        JsonArray sweep = new JsonArray();
        for (HmaSearch.Step st : r.trace()) {
            JsonObject o = new JsonObject();
            o.addProperty("evaluation", st.evaluation());
            o.addProperty("nll", st.nll());
            o.addProperty("objective", st.objective());
            o.addProperty("best_objective", st.bestObjective());
            o.addProperty("accepted", st.accepted());
            sweep.add(o);
        }
        s.add("sweep", sweep);
        s.addProperty("chosen_evaluation", r.bestAt());
        report.put("search", s);
        if (!reportOptions.json) {
            System.out.printf(Locale.ROOT, "HMA search on %s (%d windows of %d, %d evaluations)%n", source, windows.length, windowsOption.seqLen(),
                    r.evaluations());
            System.out.printf(Locale.ROOT, "  plain MA at W %s:          proxy NLL %.5f%n", Fmt.num(weight), r.maNll());
            System.out.printf(Locale.ROOT, "  HMA equal ratios (start): proxy NLL %.5f, objective %.6f%n", r.start().nll(),
                    r.start().objective());
            System.out.printf(Locale.ROOT, "  HMA searched (result):    proxy NLL %.5f, objective %.6f%n", r.best().nll(),
                    r.best().objective());
            System.out.println("  logits " + list(r.best().logits()) + ", POST weights W_k " + list(r.best().weights())
                    + " (authors' r_k " + list(r.best().preWeights()) + ")");
            System.out.flush();
        }
        return Ama.hma(weight, parts, r.best().logits(), eps);
    }

    private static JsonObject point(HmaSearch.Point p) {
        JsonObject o = new JsonObject();
        o.add("logits", doubles(p.logits()));
        o.add("ratios", doubles(p.weights()));
        o.add("ratios_authors", doubles(p.preWeights()));
        o.addProperty("nll", p.nll());
        o.addProperty("penalty", p.penalty());
        o.addProperty("objective", p.objective());
        return o;
    }

    private static String list(double[] v) {
        List<String> s = new ArrayList<>();
        for (double d : v) {
            s.add(String.format(Locale.ROOT, "%.4f", d));
        }
        return "[" + String.join(", ", s) + "]";
    }

    private static void checkUnit(String what, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new UsageException(what + " " + v + " is outside [0,1] (weights are POST weights)");
        }
    }

    /** A comma-separated list of numbers; anything else is a usage error. */
    static double[] parseDoubles(String option, String text) {
        String[] items = text.split(",", -1);
        double[] v = new double[items.length];
        for (int i = 0; i < items.length; i++) {
            String s = items[i].trim();
            try {
                v[i] = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new UsageException(option + " '" + text + "': '" + s + "' is not a number (expected e.g. 0.9,0.8,0.6)");
            }
            if (!Double.isFinite(v[i]) || s.endsWith("d") || s.endsWith("D") || s.endsWith("f") || s.endsWith("F")) {
                throw new UsageException(option + " '" + text + "': '" + s + "' is not a finite decimal number");
            }
        }
        return v;
    }

    /** A comma-separated list of integers; anything else is a usage error. */
    static int[] parseInts(String option, String text) {
        String[] items = text.split(",", -1);
        int[] v = new int[items.length];
        for (int i = 0; i < items.length; i++) {
            String s = items[i].trim();
            try {
                v[i] = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new UsageException(option + " '" + text + "': '" + s + "' is not a block index (expected e.g. 7,15)");
            }
        }
        return v;
    }

    private static JsonObject params(Ama ama, DType target, boolean vocabBase, int blockCount) {
        JsonObject p = new JsonObject();
        p.addProperty("mode", ama.mode().jsonName());
        p.addProperty("weight", ama.weight());
        p.addProperty("r_authors", complement(ama.weight()));
        Parts parts = ama.parts();
        p.addProperty("parts", parts == null ? 1 : parts.count());
        p.add("pivots", parts == null ? new JsonArray() : ints(parts.pivots()));
        p.addProperty("split", parts == null ? "none (one weight for every tensor)" : parts.source() + ": " + parts.describe());
        if (parts != null) {
            double[] w = ama.partWeights();
            double[] r = new double[w.length];
            for (int k = 0; k < w.length; k++) {
                r[k] = complement(w[k]);
            }
            p.add("ratios", doubles(w));
            p.add("ratios_authors", doubles(r));
        } else {
            p.add("ratios", doubles(new double[] {ama.weight()}));
            p.add("ratios_authors", doubles(new double[] {complement(ama.weight())}));
        }
        if (ama.mode() == Ama.Mode.HMA) {
            p.add("logits", doubles(ama.logits()));
            p.addProperty("epsilon", ama.epsilon());
        } else {
            p.add("epsilon", com.google.gson.JsonNull.INSTANCE);
        }
        p.addProperty("L", blockCount);
        p.addProperty("dtype", target == null ? null : target.name());
        p.addProperty("vocab", vocabBase ? "base" : "strict");
        return p;
    }

    private static Map<String, Object> recipe(Ama ama, DType target, boolean vocabBase) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("mode", ama.mode().jsonName());
        r.put("weight", ama.weight());
        if (ama.parts() != null) {
            r.put("pivots", ama.parts().pivots());
            r.put("ratios", ama.partWeights());
        }
        if (ama.mode() == Ama.Mode.HMA) {
            r.put("logits", ama.logits());
            r.put("epsilon", ama.epsilon());
        }
        r.put("dtype", target == null ? null : target.name());
        r.put("vocab", vocabBase ? "base" : null);
        return r;
    }

    private static JsonArray blocks(Ama ama, int blockCount) {
        JsonArray a = new JsonArray();
        for (int i = 0; i < blockCount; i++) {
            JsonObject o = new JsonObject();
            o.addProperty("index", i);
            o.addProperty("part", ama.partOf(i));
            o.addProperty("weight", ama.blockWeight(i));
            a.add(o);
        }
        return a;
    }

    /** One entry per output tensor in file order: the POST weight applied (0 for a copy of PRE). */
    private static JsonArray tensors(AlignedModels models, List<PlannedTensor> plan, Ama ama) {
        Map<String, TensorGroup> byName = ElementwiseReport.groups(models);
        JsonArray a = new JsonArray();
        for (PlannedTensor t : plan) {
            TensorGroup g = byName.get(t.name());
            JsonObject o = ElementwiseReport.entry(t, g);
            Double w = g.isFloat() ? ama.weightOf(g.role(), g.shape()) : null;
            o.addProperty("ratio", w == null ? 0.0 : w);
            if (w == null) {
                o.addProperty("copied", true);
            }
            a.add(o);
        }
        return a;
    }

    private static void summarize(Ama ama) {
        StringBuilder sb = new StringBuilder("AMA " + ama.mode().jsonName() + ": W " + Fmt.num(ama.weight())
                + " (authors' r = " + Fmt.num(complement(ama.weight())) + ")");
        if (ama.parts() != null) {
            sb.append(", ").append(ama.parts().count()).append(" parts ").append(ama.parts().describe()).append(": W_k");
            List<String> ws = new ArrayList<>();
            for (double w : ama.partWeights()) {
                ws.add(Fmt.num(w));
            }
            sb.append(' ').append(String.join(", ", ws));
        }
        Console.note(sb.toString());
    }

    /** 1 − w for the report, rounded to 15 significant digits so that 1 − 0.8 reads 0.2. */
    static double complement(double w) {
        return Double.parseDouble(String.format(java.util.Locale.ROOT, "%.15g", 1 - w));
    }

    private static JsonArray doubles(double[] v) {
        JsonArray a = new JsonArray();
        for (double d : v) {
            a.add(d);
        }
        return a;
    }

    private static JsonArray ints(int[] v) {
        JsonArray a = new JsonArray();
        for (int d : v) {
            a.add(d);
        }
        return a;
    }
}
