package dev.surgeon.cli.command;

import dev.surgeon.cli.CalibrationOptions;
import dev.surgeon.cli.Console;
import dev.surgeon.cli.DryRunOption;
import dev.surgeon.cli.DtypeOption;
import dev.surgeon.cli.LoggingOptions;
import dev.surgeon.cli.ModelOutput;
import dev.surgeon.cli.OutputOptions;
import dev.surgeon.cli.Progress;
import dev.surgeon.cli.ReportOptions;
import dev.surgeon.cli.MemoryBudgetOption;
import dev.surgeon.cli.ThreadsOption;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.util.TempFiles;
import dev.surgeon.ops.calib.ActivationStats;
import dev.surgeon.ops.calib.StatsFormat;
import dev.surgeon.ops.prune.CalibratedPruning;
import dev.surgeon.ops.prune.Magnitude;
import dev.surgeon.ops.prune.NmCheck;
import dev.surgeon.ops.prune.PrunableTensor;
import dev.surgeon.ops.prune.Prunables;
import dev.surgeon.ops.prune.PrunePlan;
import dev.surgeon.ops.prune.TensorPruner;
import dev.surgeon.ops.runner.Runners;
import dev.surgeon.ops.runner.TransformerRunner;
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
import java.util.function.Consumer;

/** {@code surgeon prune}: COMP structured pruning, and unstructured or N:M pruning by magnitude, Wanda or ECoFLaP (METHODS.md). */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = {"Prune a model: remove whole blocks and MLP neurons (comp), or set the lowest-scoring weights of its "
                + "prunable matrices to zero (magnitude, wanda, ecoflap).",
                "comp (default): --ratio is the fraction of all parameters removed; whole blocks go first (lowest importance "
                        + "1 - mean cos(block input, output)), then MLP neurons by optimal-brain-surgeon saliency, then the kept "
                        + "neurons of each block are rescaled to reproduce its dense output (mask tuning). Blocks are edited in "
                        + "order on calibration sequences (default: 32 x 128 tokens sampled from the model itself). The output "
                        + "is smaller: blocks renumbered, num_hidden_layers and intermediate_size(s) updated.",
                "magnitude: score |W|, no data; exactly floor(n * S) pruned per comparison group (--group row, matrix or global).",
                "wanda: score |W_ij| * ||X_j||_2 (input-channel norms from calibration), per output row; blocks calibrated in order, "
                        + "each after the blocks before it were pruned (--one-shot: all from the dense model).",
                "ecoflap: per-block sparsities from zeroth-order importance (32 samples, batch 8, epsilon 1e-3), then Wanda in each "
                        + "block with its sparsity; --sparsity-file skips stage 1.",
                "Ties: lower scores go first; equal scores go in order of column within a row, row-major index within a matrix, "
                        + "and (global) the model's tensor order, then that index.",
                "Prunable by default: the 2-D attention and MLP weights inside blocks (never embeddings, lm_head, norms, biases). "
                        + "GPT-2 Conv1D weights are pruned in their logical [out, in] orientation."},
        footer = {"", "Examples:",
                "  surgeon prune model/ --ratio 0.2 -o pruned/                          (comp, calibrated on itself)",
                "  surgeon prune model/ --ratio 0.2 --data prose.bin --uniform -o pruned/",
                "  surgeon prune model/ --method magnitude --ratio 0.5 -o pruned/       (per matrix)",
                "  surgeon prune model/ --method wanda --ratio 0.5 --data prose.bin -o pruned/",
                "  surgeon prune model/ --method wanda --nm 2:4 --calib self -o pruned-24/",
                "  surgeon prune model/ --method ecoflap --ratio 0.6 --data prose.bin --report r.json -o pruned/"})
public final class PruneCommand implements Callable<Integer> {
    static final List<String> METHODS = List.of("comp", "magnitude", "wanda", "ecoflap");
    /** The N:M verification failed on the written output: a bug, not bad input. */
    static final String NM_FAILED = "N:M verification of the written output failed";

    @Parameters(index = "0", paramLabel = "MODEL", description = "A .safetensors file, an index.json, a model folder, or a .tar/.tar.gz/.zip of one.")
    String model;

    @Option(names = "--ratio", paramLabel = "S",
            description = "comp: the fraction of all parameters to remove, in [0, 1). Others: target sparsity, the fraction of "
                    + "prunable weights set to zero, in [0, 1). Required unless --nm gives it (N/M).")
    Double ratio;

    @Option(names = "--method", paramLabel = "METHOD", defaultValue = "comp",
            description = "comp, magnitude, wanda or ecoflap. Default: comp.")
    String method;

    @Option(names = "--group", paramLabel = "GROUP",
            description = "Comparison group, where the count floor(n * S) is exact: row (each output row), matrix (each weight) "
                    + "or global (the whole model; magnitude only). Default: matrix for magnitude, row for wanda and ecoflap.")
    String group;

    @Option(names = "--nm", paramLabel = "N:M",
            description = "Semi-structured sparsity: in each row, every aligned group of M consecutive input columns keeps M - N "
                    + "(N zeros in every M, e.g. 2:4, 4:8); in-features must be a multiple of M. The output is verified. Default: off.")
    String nm;

    @Option(names = "--include", paramLabel = "REGEX",
            description = "Also prune tensors whose name matches (found anywhere in the name; repeatable). Default: none.")
    List<String> include = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "REGEX",
            description = "Leave tensors whose name matches untouched (repeatable; wins over --include). Default: none.")
    List<String> exclude = new ArrayList<>();

    @Mixin
    CalibrationOptions calibration;

    @Option(names = "--stats", paramLabel = "FILE",
            description = "wanda/ecoflap/comp: activation statistics from 'surgeon calibrate' (comp: with --gram) (or computed elsewhere in its format), "
                    + "applied one-shot; for architectures without a runner. Not with --data/--calib.")
    Path stats;

    @Option(names = "--one-shot",
            description = "wanda/ecoflap: statistics of the dense model for every block, instead of block by block on the "
                    + "already-pruned model. Default: off (sequential).")
    boolean oneShot;

    @Option(names = "--sparsity-file", paramLabel = "FILE",
            description = "ecoflap: per-block or per-tensor sparsities (YAML or JSON: name or block index -> sparsity) that "
                    + "replace stage 1. Default: none (stage 1 runs).")
    Path sparsityFile;

    @Mixin
    CompOptions comp;

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
        if (method.trim().equalsIgnoreCase("comp")) {
            return CompPrune.run(this);
        }
        if (comp.anyGiven()) {
            throw new UsageException("--layer-share, --uniform, --no-tune, --neuron-score, --iterative and --max-scale-var "
                    + "apply to --method comp");
        }
        PruneRequest req = PruneRequest.resolve(method, ratio, group, nm);
        boolean data = calibration.given() || stats != null;
        if (req.magnitude()) {
            if (data || oneShot || sparsityFile != null) {
                throw new UsageException("magnitude pruning uses no data: drop --data, --calib, --stats, --one-shot and "
                        + "--sparsity-file, or choose --method wanda or ecoflap");
            }
        } else {
            if (!data) {
                throw new UsageException(req.name() + " needs activation statistics: give --data FILE, --calib self "
                        + "or --stats FILE");
            }
            if (stats != null && calibration.given()) {
                throw new UsageException("--stats replaces the calibration data; do not also give --data or --calib");
            }
            if (sparsityFile != null && req.method() != CalibratedPruning.Method.ECOFLAP) {
                throw new UsageException("--sparsity-file applies to --method ecoflap");
            }
            calibration.validate(false);
        }
        DType target = dtype.get();
        int workers = threads.get();
        budget.apply();
        Report report = new Report("prune");
        report.put("method", req.name());
        report.put("seed", calibration.seed());
        try (Checkpoint in = Checkpoint.open(model)) {
            InputReport.add(report, in);
            LayerMap layers = new LayerMap(in.names(), in.config());
            List<PrunableTensor> targets = Prunables.select(in, layers, include, exclude);
            checkTargets(in, targets, req);
            if (dryRun.on()) {
                return PruneDryRun.unstructured(this, in, targets, req, target, workers, recipe(req, target), report);
            }
            boolean show = Progress.wanted(reportOptions);
            Masks masks = masks(in, targets, req, workers, show, report);
            Map<String, Object> recipe = recipe(req, target);
            // the writer's progress bar counts the tensors as they are written
            try (PrunePlan plan = PrunePlan.build(in, targets, masks.pruner(), target, workers, () -> { })) {
                Path out = ModelOutput.target(output, in, "pruned");
                ModelOutput.write("prune", recipe, List.of(in), output, "pruned", plan.tensors(),
                        ConvertCommand.configFor(in, target), report);
                if (req.nmM() > 0) {
                    verifyNm(out, targets, req, workers);
                    report.put("nm", req.nmN() + ":" + req.nmM());
                    report.root().addProperty("nm_verified", true);
                }
                PruneView.report(report, req, params(req, target), in, plan, masks.blocks());
                if (!reportOptions.json) {
                    PruneView.print(System.out, req, plan, masks.blocks(), in);
                    System.out.flush();
                }
            }
        }
        report.emit(reportOptions);
        return 0;
    }

    /** The cut of each tensor, and (wanda/ecoflap) the method's per-block facts. */
    private record Masks(TensorPruner pruner, List<CalibratedPruning.BlockResult> blocks) {
    }

    private Masks masks(Checkpoint in, List<PrunableTensor> targets, PruneRequest req, int workers, boolean show,
                        Report report) {
        if (req.magnitude()) {
            return new Masks(Magnitude.pruner(req.group(), req.ratio(), req.nmN(), req.nmM(), targets, workers), null);
        }
        CalibratedPruning.Result r;
        if (stats != null) {
            CalibratedPruning.Request request = req.request(true, sparsityFile, 1, calibration.seed());
            ActivationStats read = StatsFormat.read(stats);
            report.put("data", "stats:" + stats);
            if (request.method() == CalibratedPruning.Method.WANDA) {
                // each tensor is scored and cut as it is written: no mask pass, no masks kept
                CalibratedPruning.Streamed s = CalibratedPruning.wandaInWritePass(targets, read, request);
                return new Masks(s.pruner(), s.blocks());
            }
            r = CalibratedPruning.fromStats(in, targets, read, request);
        } else {
            try (TransformerRunner runner = Runners.open(in)) {
                CalibrationOptions.Resolved cal = calibration.resolve(in, runner, report, "prune", show);
                int[][] zeroth = req.method() == CalibratedPruning.Method.ECOFLAP && sparsityFile == null
                        ? cal.firstOrDrawn(ZEROTH_ORDER_SAMPLES, calibration.seed()) : null;
                CalibratedPruning.Request request = req.request(oneShot, sparsityFile, cal.batch(), calibration.seed());
                Console.note("prune: " + req.name() + " on " + cal.windows().length + " sequences of " + cal.seqLen()
                        + " tokens (" + cal.source() + ")" + (oneShot ? ", one-shot" : ", block by block"));
                Consumer<String> say = msg -> {
                    if (Console.verbose() || show) {
                        Console.note("prune: " + msg);
                    }
                };
                report.put("samples", cal.windows().length);
                report.put("seq_len", cal.seqLen());
                report.put("batch", cal.batch());
                if (oneShot && request.method() == CalibratedPruning.Method.WANDA) {
                    // the dense model's statistics, then each tensor cut as it is written (the runner closed)
                    CalibratedPruning.Streamed s = CalibratedPruning.wandaInWritePass(runner, targets, cal.windows(),
                            request, say);
                    return new Masks(s.pruner(), s.blocks());
                }
                r = CalibratedPruning.run(runner, in, targets, cal.windows(), zeroth, request, say);
            }
        }
        r.warnings().forEach(report::warn);
        return new Masks(TensorPruner.masks(r.masks()), r.blocks());
    }

    /** ECoFLaP's stage 1 sample count (METHODS.md): 32 sequences of the same source and seed. */
    static final int ZEROTH_ORDER_SAMPLES = 32;

    /** Bad targets found from headers alone, before any data is read. */
    private static void checkTargets(Checkpoint in, List<PrunableTensor> targets, PruneRequest req) {
        if (targets.isEmpty()) {
            throw new InvalidInputException(in.reference() + ": no prunable tensors (2-D attention or MLP weights inside "
                    + "transformer blocks); name some with --include REGEX");
        }
        if (req.nmM() > 0) {
            for (PrunableTensor t : targets) {
                if (t.cols() % req.nmM() != 0) {
                    throw new InvalidInputException("--nm " + req.nmN() + ":" + req.nmM() + ": tensor '" + t.name() + "' has "
                            + t.cols() + " input features, which M = " + req.nmM() + " does not divide");
                }
            }
        }
    }

    /** Re-reads the written output; a group with fewer than N zeros fails the run (exit 1) and removes the output. */
    private static void verifyNm(Path out, List<PrunableTensor> targets, PruneRequest req, int workers) {
        List<NmCheck.Violation> bad;
        try (Checkpoint written = Checkpoint.open(out.toString())) {
            bad = NmCheck.check(written, targets, req.nmN(), req.nmM(), workers);
        }
        if (!bad.isEmpty()) {
            TempFiles.deleteQuietly(out);
            throw new IllegalStateException(NM_FAILED + " (" + bad.size() + " tensors; first: " + bad.get(0)
                    + "); the output was removed");
        }
    }

    /** The options that made this output, for {@code surgeon.recipe} (file names only: no absolute paths). */
    private Map<String, Object> recipe(PruneRequest req, DType target) {
        Map<String, Object> r = new LinkedHashMap<>(params(req, target));
        r.put("max_shard_size", output.maxShardBytes() == 0 ? null : output.maxShardBytes());
        return r;
    }

    private Map<String, Object> params(PruneRequest req, DType target) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("method", req.name());
        p.put("ratio", req.ratio());
        p.put("group", req.nmM() > 0 ? null : req.group().cliName());
        p.put("nm", req.nmM() > 0 ? req.nmN() + ":" + req.nmM() : null);
        p.put("include", include.isEmpty() ? null : include);
        p.put("exclude", exclude.isEmpty() ? null : exclude);
        p.put("dtype", target == null ? null : target.name());
        if (!req.magnitude()) {
            p.put("data", stats != null ? null : calibration.data() != null ? fileName(calibration.data()) : "self");
            p.put("stats", stats == null ? null : fileName(stats));
            p.put("samples", stats != null ? null : calibration.samples());
            p.put("seed", calibration.seed());
            p.put("one_shot", oneShot || stats != null);
            p.put("sparsity_file", sparsityFile == null ? null : fileName(sparsityFile));
        }
        return p;
    }

    private static String fileName(Path p) {
        Path f = p.getFileName();
        return f == null ? p.toString() : f.toString();
    }

    /** Used in messages: the methods surgeon prune knows. */
    static String methodList() {
        return String.join(", ", METHODS);
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
