package dev.surgeon.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.surgeon.cli.CalibrationOptions;
import dev.surgeon.cli.Console;
import dev.surgeon.cli.DryRunOption;
import dev.surgeon.cli.LoggingOptions;
import dev.surgeon.cli.Progress;
import dev.surgeon.cli.ReportOptions;
import dev.surgeon.cli.ThreadsOption;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.ops.mask.AttentionLayout;
import dev.surgeon.ops.mask.BlockAttention;
import dev.surgeon.ops.mask.HeadScores;
import dev.surgeon.ops.mask.LayerScores;
import dev.surgeon.ops.mask.MaskFile;
import dev.surgeon.ops.mask.Masks;
import dev.surgeon.ops.mask.WeightMasks;
import dev.surgeon.ops.prune.PrunableTensor;
import dev.surgeon.ops.prune.Prunables;
import dev.surgeon.ops.runner.Runners;
import dev.surgeon.ops.runner.TransformerRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code surgeon mask compute}: GTSP masks computed one-shot (METHODS.md, GTSP), written as a mask file. */
@Command(name = "compute", mixinStandardHelpOptions = true,
        description = {"Compute GTSP masks for MODEL and write them as a mask file (see 'mask apply').",
                "--weights D: keep |w| strictly above the global magnitude threshold, the floor(n*(1-D))-th smallest |w| of "
                        + "the n prunable weights (2-D attention and MLP weights in blocks), or of each block with --per-block.",
                "--heads D: keep floor(G*D) of the G KV groups (a KV head and its query heads) of every block, the most "
                        + "important: by ablation (calibration NLL increase when the group's output is zeroed) or, with "
                        + "--data-free, ||W_v[group]|| * sum over its query heads of ||W_o[:, head]||.",
                "--layers K: keep the K blocks of highest importance 1 - mean cos(block input, block output).",
                "Ablation and --layers calibrate like prune --method comp: 32 sequences of 128 tokens sampled from the "
                        + "model unless --data is given."},
        footer = {"", "Examples:",
                "  surgeon mask compute model/ --heads 0.5 -o heads.masks.safetensors",
                "  surgeon mask compute model/ --weights 0.5 --layers 10 --data prose.bin -o masks.safetensors",
                "  surgeon mask apply model/ heads.masks.safetensors --mode remove -o smaller/"})
public final class MaskComputeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "The model (file, index, folder or archive).")
    String model;

    @Option(names = "--weights", paramLabel = "D", description = "Keep-density of the prunable weights, in (0, 1]. Default: no weight masks.")
    Double weights;

    @Option(names = "--per-block", description = "--weights: one threshold per block instead of one for the model. Default: off.")
    boolean perBlock;

    @Option(names = "--heads", paramLabel = "D", description = "Keep-density of the KV groups of each block, in (0, 1]. Default: no head masks.")
    Double heads;

    @Option(names = "--data-free", description = "--heads: score groups by weight norms instead of ablation. Default: off.")
    boolean dataFree;

    @Option(names = "--layers", paramLabel = "K", description = "Keep K blocks (1 <= K <= blocks). Default: no layer mask.")
    Integer layers;

    @Mixin
    CalibrationOptions calibration;

    @Option(names = {"-o", "--output"}, paramLabel = "MASKS", required = true,
            description = "The mask file to write (a path ending in .safetensors). Required.")
    Path output;

    @Option(names = "--force", description = "Replace an existing output. Default: off (exit 4).")
    boolean force;

    @Mixin
    ThreadsOption threads;

    @Mixin
    ReportOptions reportOptions;

    @Mixin
    DryRunOption dryRun;

    @Mixin
    LoggingOptions logging;

    @Override
    public Integer call() {
        check();
        int workers = threads.get();
        Report report = new Report("mask compute");
        report.put("method", "gtsp");
        boolean show = Progress.wanted(reportOptions);
        try (Checkpoint in = Checkpoint.open(model)) {
            InputReport.add(report, in);
            LayerMap map = new LayerMap(in.names(), in.config());
            List<PrunableTensor> targets = weights == null ? List.of() : Prunables.select(in, map, List.of(), List.of());
            if (weights != null && targets.isEmpty()) {
                throw new InvalidInputException(in.reference() + ": no prunable tensors for --weights");
            }
            BlockAttention[] att = heads == null ? null : AttentionLayout.of(in, map);
            if (layers != null && (layers < 1 || layers > map.blockCount())) {
                throw new UsageException("--layers must be between 1 and the model's " + map.blockCount() + " blocks, not " + layers);
            }
            if (dryRun.on()) {
                return dryRun(in, map, targets, att, workers, report);
            }
            TreeMap<Integer, boolean[]> headMasks = new TreeMap<>();
            boolean[] layerMask = null;
            double[][] headScores = null;
            double[] importance = null;
            boolean runner = (heads != null && !dataFree) || layers != null;
            if (heads != null && dataFree) {
                headScores = HeadScores.dataFree(in, att);
            }
            if (runner) {
                try (TransformerRunner r = Runners.open(in)) {
                    calibration.defaults(CompPrune.SAMPLES, CompPrune.SEQ_LEN);
                    CalibrationOptions.Resolved cal = calibration.resolve(in, r, report, "mask compute", show);
                    if (cal.seqLen() < 2) {
                        throw new UsageException("--seq-len must be at least 2 (the ablation NLL predicts each token from the ones before)");
                    }
                    Console.note("mask compute: calibrating on " + cal.windows().length + " sequences of " + cal.seqLen()
                            + " tokens (" + cal.source() + ")");
                    if (heads != null && !dataFree) {
                        headScores = HeadScores.ablation(r, in, att, cal.windows(), cal.batch(), msg -> {
                            if (Console.verbose() || show) {
                                Console.note("mask compute: " + msg);
                            }
                        });
                    }
                    if (layers != null) {
                        importance = LayerScores.importance(r, cal.windows(), cal.batch());
                        layerMask = LayerScores.keep(importance, layers);
                    }
                    report.put("samples", cal.windows().length);
                    report.put("seq_len", cal.seqLen());
                }
            }
            if (heads != null) {
                for (int b = 0; b < att.length; b++) {
                    int keep = keepCount(att[b].kvHeads(), heads);
                    if (keep < 1) {
                        throw new UsageException("--heads " + heads + " keeps no KV group of block " + b + " (it has "
                                + att[b].kvHeads() + "); raise the density");
                    }
                    headMasks.put(b, HeadScores.keep(headScores[b], keep, att[b].groupSize()));
                }
            }
            Map<String, String> meta = new TreeMap<>();
            meta.put("model", fileName(in));
            meta.put("method", method());
            Masks small = new Masks(null, headMasks, layerMask, meta);
            Map<String, long[]> kept = new LinkedHashMap<>();
            List<PlannedTensor> streamed = weights == null ? List.of()
                    : WeightMasks.plan(targets, weights, perBlock, workers, kept);
            List<PlannedTensor> entries = new ArrayList<>(MaskFile.plan(small));
            entries.addAll(streamed);
            entries.sort(java.util.Comparator.comparing(PlannedTensor::name));
            dev.surgeon.cli.OutputSpace.check(output, dev.surgeon.cli.dryrun.OutputLayout.safetensors(
                    String.valueOf(output.getFileName()), MaskFile.metadata(small), entries).bytes());
            dev.surgeon.io.write.WrittenFile written = MaskFile.write(output, force, small, streamed);
            long bytes = written.bytes();
            dev.surgeon.cli.InputDigests.await(in);
            dev.surgeon.cli.ModelOutput.reportOutputs(report, output, List.of(written));
            Console.note("wrote " + output);
            report(report, att, headScores, headMasks, importance, layerMask, kept, bytes);
            if (!reportOptions.json) {
                print(att, headScores, headMasks, importance, layerMask, kept);
            }
        }
        report.emit(reportOptions);
        return 0;
    }

    private void check() {
        if (weights == null && heads == null && layers == null) {
            throw new UsageException("give at least one of --weights D, --heads D and --layers K");
        }
        if (weights != null && !(weights > 0 && weights <= 1)) {
            throw new UsageException("--weights must be a keep-density in (0, 1], not " + weights);
        }
        if (heads != null && !(heads > 0 && heads <= 1)) {
            throw new UsageException("--heads must be a keep-density in (0, 1], not " + heads);
        }
        if (perBlock && weights == null) {
            throw new UsageException("--per-block applies to --weights");
        }
        if (dataFree && heads == null) {
            throw new UsageException("--data-free applies to --heads");
        }
        boolean runner = (heads != null && !dataFree) || layers != null;
        if (!runner && calibration.given()) {
            throw new UsageException("calibration data is used by --heads (without --data-free) and --layers only");
        }
        calibration.validate(false);
        String name = output.getFileName() == null ? "" : output.getFileName().toString();
        if (!name.endsWith(".safetensors")) {
            throw new UsageException("-o must name a .safetensors file, not '" + output + "'");
        }
    }

    /** ⌊groups · D⌋ in decimal arithmetic (0.5 × 3 = 1, never 1.4999). */
    /** --dry-run: the mask file's entries have the model's shapes (weights), one flag per head and per block. */
    private int dryRun(Checkpoint in, LayerMap map, List<PrunableTensor> targets, BlockAttention[] att, int workers,
                       Report report) {
        TreeMap<Integer, boolean[]> headMasks = new TreeMap<>();
        if (heads != null) {
            for (int b = 0; b < att.length; b++) {
                if (keepCount(att[b].kvHeads(), heads) < 1) {
                    throw new UsageException("--heads " + heads + " keeps no KV group of block " + b + " (it has "
                            + att[b].kvHeads() + "); raise the density");
                }
                headMasks.put(b, new boolean[att[b].kvHeads() * att[b].groupSize()]);
            }
        }
        Map<String, String> meta = new TreeMap<>();
        meta.put("model", fileName(in));
        meta.put("method", method());
        Masks small = new Masks(null, headMasks, layers == null ? null : new boolean[map.blockCount()], meta);
        List<PlannedTensor> all = new ArrayList<>(MaskFile.plan(small));
        if (weights != null) {
            for (PrunableTensor t : targets) {
                all.add(new PlannedTensor(t.name() + MaskFile.WEIGHT_SUFFIX, dev.surgeon.io.safetensors.DType.U8,
                        t.ref().info().shape(), null));
            }
        }
        all.sort(java.util.Comparator.comparing(PlannedTensor::name));
        List<Path> inputs = new ArrayList<>(in.inputPaths());
        if (in.kind() == Checkpoint.Kind.DIRECTORY) {
            inputs.add(in.root());
        }
        var d = dev.surgeon.cli.dryrun.DryRun.file("mask compute", output, force, inputs, MaskFile.metadata(small), all, in, t -> true);
        var size = dev.surgeon.cli.dryrun.ModelSize.of(in);
        long weighed = targets.stream().mapToLong(PrunableTensor::numel).sum();
        var write = dev.surgeon.cli.dryrun.Estimate.magnitude(size, workers, weights == null ? 0 : in.totalBytes(), d.bytes(), weighed);
        boolean runner = (heads != null && !dataFree) || layers != null;
        if (!runner) {
            return d.estimate(write).finish(report, reportOptions);
        }
        try (TransformerRunner r = Runners.open(in)) {
            calibration.defaults(CompPrune.SAMPLES, CompPrune.SEQ_LEN);
            var cal = dev.surgeon.cli.CalibrationPlan.of(calibration, CompPrune.SEQ_LEN, r.maxPositions());
            if (cal.seqLen() < 2) {
                throw new UsageException("--seq-len must be at least 2 (the ablation NLL predicts each token from the ones before)");
            }
            // ablation: one pass per KV group of every block; layer importance: one pass
            double passes = (layers != null ? 1 : 0);
            if (heads != null && !dataFree) {
                for (BlockAttention a : att) {
                    passes += a.kvHeads();
                }
            }
            d.estimate(dev.surgeon.cli.dryrun.Estimate.calibrated(size, cal.tokens(), cal.selfSampled(), passes,
                    dev.surgeon.cli.dryrun.Estimate.forwardRate(), 0, "", write.seconds(),
                    String.format(java.util.Locale.ROOT, "the weight masks %.1f s", write.seconds())));
            d.note("mask compute calibrates on " + cal.samples() + " sequences of " + cal.seqLen() + " tokens; not run by --dry-run");
        }
        return d.finish(report, reportOptions);
    }

    static int keepCount(int groups, double density) {
        return BigDecimal.valueOf(groups).multiply(BigDecimal.valueOf(density)).setScale(0, RoundingMode.FLOOR).intValueExact();
    }

    private String method() {
        List<String> parts = new ArrayList<>();
        if (weights != null) {
            parts.add("weights=magnitude(" + weights + (perBlock ? ", per-block" : ", global") + ")");
        }
        if (heads != null) {
            parts.add("heads=" + (dataFree ? "data-free" : "ablation") + "(" + heads + ")");
        }
        if (layers != null) {
            parts.add("layers=block-importance(" + layers + ")");
        }
        return "gtsp one-shot: " + String.join("; ", parts);
    }

    private void report(Report report, BlockAttention[] att, double[][] headScores, Map<Integer, boolean[]> headMasks,
                        double[] importance, boolean[] layerMask, Map<String, long[]> kept, long bytes) {
        JsonObject params = new JsonObject();
        if (weights != null) {
            params.addProperty("weights", weights);
            params.addProperty("per_block", perBlock);
        }
        if (heads != null) {
            params.addProperty("heads", heads);
            params.addProperty("head_score", dataFree ? "data-free" : "ablation");
        }
        if (layers != null) {
            params.addProperty("layers", layers);
        }
        params.addProperty("seed", calibration.seed());
        report.put("params", params);
        JsonObject s = report.summary();
        s.addProperty("output", output.toString());
        s.addProperty("bytes", bytes);
        if (weights != null) {
            long k = 0;
            long n = 0;
            for (long[] c : kept.values()) {
                k += c[0];
                n += c[1];
            }
            s.addProperty("weights_kept", k);
            s.addProperty("weights_total", n);
            s.addProperty("weights_density", n == 0 ? 0 : (double) k / n);
        }
        if (heads != null) {
            JsonArray blocks = new JsonArray();
            for (int b = 0; b < att.length; b++) {
                JsonObject o = new JsonObject();
                o.addProperty("block", b);
                JsonArray sc = new JsonArray();
                for (double v : headScores[b]) {
                    sc.add(v);
                }
                o.add("group_scores", sc);
                JsonArray keep = new JsonArray();
                boolean[] m = headMasks.get(b);
                for (int g = 0; g < att[b].kvHeads(); g++) {
                    if (m[g * att[b].groupSize()]) {
                        keep.add(g);
                    }
                }
                o.add("kept_groups", keep);
                blocks.add(o);
            }
            report.put("heads", blocks);
        }
        if (layers != null) {
            JsonArray l = new JsonArray();
            for (int b = 0; b < importance.length; b++) {
                JsonObject o = new JsonObject();
                o.addProperty("block", b);
                o.addProperty("importance", importance[b]);
                o.addProperty("kept", layerMask[b]);
                l.add(o);
            }
            report.put("layers", l);
        }
    }

    private void print(BlockAttention[] att, double[][] headScores, Map<Integer, boolean[]> headMasks, double[] importance,
                       boolean[] layerMask, Map<String, long[]> kept) {
        if (weights != null) {
            long k = kept.values().stream().mapToLong(c -> c[0]).sum();
            long n = kept.values().stream().mapToLong(c -> c[1]).sum();
            System.out.println("weights: " + Fmt.count(k) + " of " + Fmt.count(n) + " kept (" + Fmt.percent(n == 0 ? 0 : (double) k / n)
                    + ") in " + Fmt.plural(kept.size(), "tensor"));
        }
        if (heads != null) {
            TextTable t = new TextTable("rll", "block", "group scores", "kept groups");
            for (int b = 0; b < att.length; b++) {
                StringBuilder sc = new StringBuilder();
                StringBuilder keep = new StringBuilder();
                for (int g = 0; g < att[b].kvHeads(); g++) {
                    sc.append(g == 0 ? "" : " ").append(Fmt.num(headScores[b][g]));
                    if (headMasks.get(b)[g * att[b].groupSize()]) {
                        keep.append(keep.length() == 0 ? "" : " ").append(g);
                    }
                }
                t.row(Integer.toString(b), sc.toString(), keep.toString());
            }
            System.out.println("heads (" + (dataFree ? "data-free" : "ablation: NLL increase") + "):");
            t.print(System.out, "  ");
        }
        if (layers != null) {
            TextTable t = new TextTable("rrl", "block", "importance", "");
            for (int b = 0; b < importance.length; b++) {
                t.row(Integer.toString(b), Fmt.num(importance[b]), layerMask[b] ? "kept" : "masked");
            }
            System.out.println("layers:");
            t.print(System.out, "  ");
        }
        System.out.flush();
    }

    private static String fileName(Checkpoint in) {
        Path p = Path.of(in.reference()).getFileName();
        return p == null ? in.reference() : p.toString();
    }
}
