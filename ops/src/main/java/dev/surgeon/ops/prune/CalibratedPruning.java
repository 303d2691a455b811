package dev.surgeon.ops.prune;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.ops.calib.ActivationStats;
import dev.surgeon.ops.calib.Calibrator;
import dev.surgeon.ops.runner.TransformerRunner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The data-driven pruning methods behind {@code surgeon prune --method wanda|ecoflap}: masks from
 * activation statistics (Wanda's |W_ij|·‖X_j‖₂), optionally with ECoFLaP's per-block sparsities.
 * The command resolves options and data; this class returns masks, and the plan writes them.
 */
public final class CalibratedPruning {
    private CalibratedPruning() {
    }

    public enum Method { WANDA, ECOFLAP }

    /**
     * @param method       wanda or ecoflap
     * @param ratio        target sparsity S in [0, 1) (for --nm: the N:M ratio n/m)
     * @param nmN          N of --nm N:M (0: no N:M)
     * @param nmM          M of --nm N:M (0: no N:M)
     * @param perMatrix    wanda's comparison group is the whole matrix instead of each output row
     * @param oneShot      statistics of the dense model for every block, instead of sequential
     * @param sparsityFile ECoFLaP: per-block/per-tensor sparsities (YAML/JSON) that skip stage 1; null: stage 1
     * @param batch        sequences per forward pass
     * @param seed         seed of the zeroth-order draws
     */
    public record Request(Method method, double ratio, int nmN, int nmM, boolean perMatrix, boolean oneShot,
                          Path sparsityFile, int batch, long seed) {
    }

    /**
     * Facts of one block for the report.
     *
     * @param score    ECoFLaP's stage-1 score S_g (NaN for wanda or a sparsity file)
     * @param sparsity the sparsity this block was given (target), 0..1
     */
    public record BlockResult(int block, long weights, long pruned, double score, double sparsity) {
    }

    public record Result(Map<String, PruneMask> masks, List<BlockResult> blocks, List<String> warnings) {
    }

    /**
     * Runs the method with a forward pass: {@code windows} are the calibration sequences (stage 2 /
     * Wanda), {@code zerothOrderWindows} those of ECoFLaP's stage 1 (ignored for wanda).
     *
     * <p>Sequential unless {@code request.oneShot()}: block i's statistics come from the
     * already-pruned blocks before it. Stage 1's loss windows follow {@link dev.surgeon.ops.runner.Perplexity}'s
     * convention (a window of T+1 tokens feeds its first T and predicts its last T); they are scored in
     * batches of {@link ZerothOrder#BATCH}, whatever {@code request.batch()}. The runner's overrides are all
     * dropped again when this returns.
     */
    public static Result run(TransformerRunner runner, Checkpoint model, List<PrunableTensor> targets, int[][] windows,
                             int[][] zerothOrderWindows, Request request, Consumer<String> progress) {
        check(request, targets);
        Consumer<String> say = progress == null ? m -> { } : progress;
        Ecoflap.Plan plan = null;
        if (request.method() == Method.ECOFLAP) {
            if (request.sparsityFile() != null) {
                plan = Ecoflap.fromFile(targets, SparsityFile.read(request.sparsityFile(), targets, runner.blockCount()),
                        request.ratio());
            } else {
                if (zerothOrderWindows == null || zerothOrderWindows.length == 0) {
                    throw new UsageException("ecoflap stage 1 needs calibration windows (or a --sparsity-file)");
                }
                double[] scores = ZerothOrder.scores(runner, targets, zerothOrderWindows, ZerothOrder.BATCH,
                        request.seed(), ZerothOrder.EPSILON, say);
                plan = Ecoflap.fromScores(targets, scores, request.ratio());
            }
            say.accept(allocationLine(plan));
        }
        Function<PrunableTensor, MaskRule> rules = ruleOf(request, plan);
        Map<String, PruneMask> masks;
        if (request.oneShot()) {
            ActivationStats stats = denseStats(runner, windows, request, say);
            masks = Wanda.oneShot(targets, sqSums(stats, targets, FORWARD_PASS), rules, say);
        } else {
            masks = Wanda.sequential(runner, targets, windows, request.batch(), rules, say);
        }
        return result(request, targets, masks, plan);
    }

    private static final String FORWARD_PASS = "the forward pass";
    private static final String STATS_FILE = "the statistics file";

    /** The statistics of every Linear from the dense model (one-shot). */
    private static ActivationStats denseStats(TransformerRunner runner, int[][] windows, Request request,
                                              Consumer<String> say) {
        return Calibrator.run(runner, windows, request.batch(), null, Map.of(),
                done -> say.accept("calibration: block " + done + "/" + runner.blockCount()));
    }

    /** Runs the method one-shot from statistics computed elsewhere (no runner: ECoFLaP needs a sparsity file). */
    public static Result fromStats(Checkpoint model, List<PrunableTensor> targets, ActivationStats stats,
                                   Request request) {
        check(request, targets);
        Ecoflap.Plan plan = null;
        if (request.method() == Method.ECOFLAP) {
            if (request.sparsityFile() == null) {
                throw new UsageException("ecoflap from --stats needs a --sparsity-file: stage 1 (the zeroth-order "
                        + "scores) needs a forward pass, which this architecture does not have");
            }
            int blocks = new LayerMap(model.names(), model.config()).blockCount();
            plan = Ecoflap.fromFile(targets, SparsityFile.read(request.sparsityFile(), targets, blocks), request.ratio());
        }
        Function<String, double[]> sq = sqSums(stats, targets, STATS_FILE);
        return result(request, targets, Wanda.oneShot(targets, sq, ruleOf(request, plan), m -> { }), plan);
    }

    /** Options that cannot work together, and targets the methods cannot score. */
    private static void check(Request request, List<PrunableTensor> targets) {
        boolean nm = request.nmN() != 0 || request.nmM() != 0;
        if (nm) {
            if (request.nmN() <= 0 || request.nmM() <= 0 || request.nmN() >= request.nmM()) {
                throw new UsageException("--nm " + request.nmN() + ":" + request.nmM() + " needs 0 < N < M");
            }
            if (request.method() == Method.ECOFLAP) {
                throw new UsageException("ecoflap allocates per-block sparsity; --nm fixes it");
            }
        } else if (!(request.ratio() >= 0 && request.ratio() < 1)) {
            throw new UsageException("--ratio must be in [0, 1), not " + request.ratio());
        }
        if (request.method() == Method.ECOFLAP && request.perMatrix()) {
            throw new UsageException("ecoflap prunes per output row with exact block totals; --group matrix applies "
                    + "to magnitude and wanda");
        }
        for (PrunableTensor t : targets) {
            if (t.block() < 0) {
                throw new UsageException("'" + t.name() + "' is outside the transformer blocks: " + request.method()
                        .name().toLowerCase(java.util.Locale.ROOT) + " scores weights by the activations that blocks "
                        + "see; leave it out (--exclude) or use --method magnitude");
            }
            if (nm && t.cols() % request.nmM() != 0) {
                throw new InvalidInputException("tensor '" + t.name() + "' has " + t.cols() + " input features, not a "
                        + "multiple of M = " + request.nmM() + " (--nm " + request.nmN() + ":" + request.nmM() + ")");
            }
        }
    }

    /** The tensor rule: ECoFLaP's exact per-block counts, else N:M, per matrix or per row at the ratio. */
    private static Function<PrunableTensor, MaskRule> ruleOf(Request request, Ecoflap.Plan plan) {
        if (plan != null) {
            return t -> plan.rules().get(t.name());
        }
        MaskRule rule = request.nmM() != 0 ? MaskRule.nm(request.nmN(), request.nmM())
                : request.perMatrix() ? MaskRule.perMatrix(request.ratio()) : MaskRule.perRow(request.ratio());
        return t -> rule;
    }

    /** The statistics of each target's Linear, checked against the weights first. */
    private static Function<String, double[]> sqSums(ActivationStats stats, List<PrunableTensor> targets, String source) {
        for (PrunableTensor t : targets) {
            ActivationStats.Linear l = stats.linear(t.linear());
            if (l == null) {
                throw new InvalidInputException("Linear '" + t.linear() + "' (of '" + t.name() + "') has no statistics in "
                        + source + "; was it computed for this model?");
            }
            Wanda.checkWidth(t, l.inFeatures(), source);
        }
        return name -> stats.linear(name).sqSum();
    }

    private static Result result(Request request, List<PrunableTensor> targets, Map<String, PruneMask> masks,
                                 Ecoflap.Plan plan) {
        List<String> warnings = new ArrayList<>();
        List<BlockResult> blocks = blocks(request, targets, t -> masks.get(t.name()).count(), plan, warnings);
        return new Result(masks, blocks, List.copyOf(warnings));
    }

    /** The report's facts of each block, from what each target lost. */
    private static List<BlockResult> blocks(Request request, List<PrunableTensor> targets,
                                            java.util.function.ToLongFunction<PrunableTensor> pruned,
                                            Ecoflap.Plan plan, List<String> warnings) {
        Map<Integer, long[]> counts = new TreeMap<>(); // block → {weights, pruned}
        for (PrunableTensor t : targets) {
            long[] c = counts.computeIfAbsent(t.block(), k -> new long[2]);
            c[0] += t.numel();
            c[1] += pruned.applyAsLong(t);
        }
        List<BlockResult> blocks = new ArrayList<>();
        if (plan != null) {
            for (Ecoflap.Budget b : plan.budgets()) {
                blocks.add(new BlockResult(b.block(), b.weights(), counts.get(b.block())[1], b.score(), b.sparsity()));
            }
            warnings.addAll(plan.warnings());
        } else {
            double target = request.nmM() != 0 ? (double) request.nmN() / request.nmM() : request.ratio();
            counts.forEach((b, c) -> blocks.add(new BlockResult(b, c[0], c[1], Double.NaN, target)));
        }
        return List.copyOf(blocks);
    }

    /** A pruner that cuts each tensor as it is written, and the method's facts of each block. */
    public record Streamed(TensorPruner pruner, List<BlockResult> blocks) {
    }

    /**
     * One-shot Wanda from statistics computed elsewhere, cut in the write pass
     * ({@link Wanda.InWritePass}): no mask is computed ahead or kept, and no tensor is read twice. The blocks'
     * pruned counts are the rule's, which prunes a fixed count per row, matrix or N:M group whatever
     * the scores. ECoFLaP keeps {@link #fromStats}: its report needs the plan's exact totals.
     */
    public static Streamed wandaInWritePass(List<PrunableTensor> targets, ActivationStats stats, Request request) {
        checkWandaOneShot(request, targets);
        return streamed(targets, stats, request, STATS_FILE);
    }

    /**
     * One-shot Wanda with a forward pass: the dense model's statistics, then the cut in the write
     * pass as from a statistics file ({@link #wandaInWritePass}), after the runner is closed.
     */
    public static Streamed wandaInWritePass(TransformerRunner runner, List<PrunableTensor> targets, int[][] windows,
                                            Request request, Consumer<String> progress) {
        checkWandaOneShot(request, targets); // before the forward pass: wrong options fail at once
        ActivationStats stats = denseStats(runner, windows, request, progress == null ? m -> { } : progress);
        return streamed(targets, stats, request, FORWARD_PASS);
    }

    private static void checkWandaOneShot(Request request, List<PrunableTensor> targets) {
        if (request.method() != Method.WANDA || !request.oneShot()) {
            throw new IllegalArgumentException("the write-pass cut is one-shot wanda's, not " + request);
        }
        check(request, targets);
    }

    private static Streamed streamed(List<PrunableTensor> targets, ActivationStats stats, Request request, String source) {
        TensorPruner pruner = new Wanda.InWritePass(sqSums(stats, targets, source), ruleOf(request, null));
        return new Streamed(pruner, blocks(request, targets, t -> prunedBy(request, t), null, new ArrayList<>()));
    }

    /** What wanda's rule prunes of {@code t}: N of every M, ⌊n·ratio⌋ of the matrix, or ⌊cols·ratio⌋ a row. */
    private static long prunedBy(Request request, PrunableTensor t) {
        if (request.nmM() != 0) {
            return t.numel() / request.nmM() * request.nmN();
        }
        if (request.perMatrix()) {
            return Selection.countOf(t.numel(), request.ratio());
        }
        return t.rows() * Selection.countOf(t.cols(), request.ratio());
    }

    private static String allocationLine(Ecoflap.Plan plan) {
        StringBuilder sb = new StringBuilder("ecoflap: block sparsities");
        for (Ecoflap.Budget b : plan.budgets()) {
            sb.append(String.format(java.util.Locale.ROOT, " %d:%.4f", b.block(), b.sparsity()));
        }
        return sb.toString();
    }
}
