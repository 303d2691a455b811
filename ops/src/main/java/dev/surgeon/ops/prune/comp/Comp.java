package dev.surgeon.ops.prune.comp;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.ops.calib.ActivationStats;
import dev.surgeon.ops.calib.Calibrator;
import dev.surgeon.ops.exec.ElementReader;
import dev.surgeon.ops.runner.TransformerRunner;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * COMP hybrid structured pruning (METHODS.md): whole blocks go first, lowest block importance
 * BI = 1 − mean cos(input, output) first; then MLP neurons of the kept blocks by their
 * optimal-brain-surgeon saliency; then mask tuning rescales the kept neurons of each block to
 * reproduce its dense MLP output. With a forward pass, blocks are edited in order, each on the
 * activations that the already-edited blocks before it produce, one block's activations at a time.
 * Without {@code --layer-share}, every whole-block count the budget allows is tried and the one
 * with the lowest NLL on the calibration sequences is kept.
 */
public final class Comp {
    private Comp() {
    }

    /** How neurons are scored: OBS saliency (COMP) or the weights' squared norm (the data-free baseline). */
    public enum Score { OBS, MAGNITUDE }

    /**
     * @param ratio       the fraction of all parameters to remove, in [0, 1)
     * @param layerShare  the most of that budget whole blocks may take, in [0, 1]; null: auto
     * @param uniform     every kept block keeps the same MLP width
     * @param tune        mask tuning on (off: the kept neurons keep scale 1)
     * @param iterative   OBS scores recomputed over {@link NeuronSelection#ROUNDS} removal rounds
     * @param maxScaleVar a block whose scales vary more than this keeps scale 1
     * @param batch       calibration sequences per forward pass
     */
    public record Request(double ratio, Double layerShare, boolean uniform, boolean tune, Score score,
                          boolean iterative, double maxScaleVar, int batch) {
        public Request {
            if (!(ratio >= 0 && ratio < 1)) {
                throw new UsageException("--ratio must be in [0, 1), not " + ratio);
            }
            if (layerShare != null && !(layerShare >= 0 && layerShare <= 1)) {
                throw new UsageException("--layer-share must be auto or a number in [0, 1], not " + layerShare);
            }
            if (!(maxScaleVar > 0)) {
                throw new UsageException("--max-scale-var must be positive, not " + maxScaleVar);
            }
        }
    }

    /**
     * @param edit         what to write
     * @param blocks       per original block, in order
     * @param candidates   every whole-block count considered; {@code chosen} indexes the one kept
     * @param paramsBefore parameters of the input model
     * @param paramsAfter  parameters of the output model
     */
    public record Result(StructuredEdit edit, List<BlockFacts> blocks, List<Candidate> candidates, int chosen,
                         long paramsBefore, long paramsAfter) {
        public Result {
            blocks = List.copyOf(blocks);
            candidates = List.copyOf(candidates);
        }
    }

    /**
     * Runs COMP with the forward pass on {@code windows} (calibration sequences of T ≥ 2 tokens;
     * the candidates' NLL is that of tokens 2..T given the ones before). The runner's overrides are
     * all dropped again when this returns.
     */
    public static Result run(TransformerRunner runner, Checkpoint model, int[][] windows, Request request,
                             Consumer<String> progress) {
        Consumer<String> say = progress == null ? m -> { } : progress;
        if (windows.length == 0 || windows[0].length < 2) {
            throw new UsageException("COMP needs calibration sequences of at least 2 tokens");
        }
        Model m = Model.of(model, runner.blockCount());
        Dense dense = dense(runner, m, windows, request, say);
        List<Candidate> candidates = new ArrayList<>();
        Outcome best = null;
        int chosen = -1;
        for (List<Integer> removed : blockOptions(m, request, dense.importance)) {
            Plan plan = plan(m, request, removed, dense.shares);
            if (plan.note != null) {
                candidates.add(new Candidate(removed, plan.neurons, -1, Double.NaN, plan.note));
                continue;
            }
            Outcome o = SequentialPass.run(runner, m, windows, request, plan, say);
            candidates.add(new Candidate(removed, plan.neurons, o.paramsAfter(), o.nll(), null));
            say.accept(String.format(Locale.ROOT, "candidate %s: calibration NLL %.5f, %d parameters",
                    plan.describe(), o.nll(), o.paramsAfter()));
            if (best == null || o.nll() < best.nll()) {
                best = o;
                chosen = candidates.size() - 1;
            }
        }
        if (best == null) {
            throw new InvalidInputException("COMP cannot remove " + request.ratio() + " of the parameters: "
                    + candidates.get(candidates.size() - 1).note());
        }
        return result(m, dense.importance, best, candidates, chosen);
    }

    /**
     * COMP from statistics computed elsewhere (no forward pass): block cosines and the Gram
     * matrices of the MLP down projections' inputs ({@code surgeon calibrate --gram}). Every block
     * is edited on the dense model's statistics; {@code --layer-share} must be given (auto compares
     * calibration NLLs, which need a forward pass).
     */
    public static Result fromStats(Checkpoint model, ActivationStats stats, Request request, Consumer<String> progress) {
        Consumer<String> say = progress == null ? m -> { } : progress;
        if (request.layerShare() == null) {
            throw new UsageException("--layer-share auto picks the block count by calibration NLL, which needs a "
                    + "forward pass; with --stats give --layer-share S (0 for neurons only)");
        }
        int blocks = new LayerMap(model.names(), model.config()).blockCount();
        Model m = Model.of(model, blocks);
        double[] cos = stats.blockCosine();
        if (cos.length != blocks) {
            throw new InvalidInputException("the statistics hold block cosines of " + cos.length + " blocks; the model has "
                    + blocks + "; were they computed for this model?");
        }
        double[] importance = new double[blocks];
        double[][] shares = new double[blocks][];
        Map<Integer, ActivationStats.Linear> grams = new LinkedHashMap<>();
        for (int b = 0; b < blocks; b++) {
            importance[b] = 1 - cos[b];
            MlpTensors mlp = m.mlps.get(b);
            ActivationStats.Linear l = stats.linear(mlp.downLinear());
            if (l == null || l.gram() == null) {
                throw new InvalidInputException("the statistics have no Gram matrix for '" + mlp.downLinear()
                        + "'; compute them with 'surgeon calibrate --gram'");
            }
            if (l.inFeatures() != mlp.width()) {
                throw new InvalidInputException("'" + mlp.downLinear() + "': statistics of " + l.inFeatures()
                        + " inputs for an MLP of width " + mlp.width() + "; were they computed for this model?");
            }
            grams.put(b, l);
            shares[b] = byScore(request) ? shares(model, mlp, l.gram(), l.tokens()) : null;
        }
        List<Integer> removed = blockOptions(m, request, importance).get(0);
        Plan plan = plan(m, request, removed, shares);
        if (plan.note != null) {
            throw new InvalidInputException("COMP cannot remove " + request.ratio() + " of the parameters: " + plan.note);
        }
        Map<Integer, BlockEdit> edits = new LinkedHashMap<>();
        for (int i = 0; i < plan.kept.length; i++) {
            int b = plan.kept[i];
            ActivationStats.Linear l = grams.get(b);
            MlpTensors mlp = m.mlps.get(b);
            edits.put(b, BlockEdit.of(model, mlp, ElementReader.readAll(model.tensor(mlp.down())), l.gram(), l.tokens(),
                    mlp.width() - plan.remove[i], request));
            say.accept("block " + b + ": keeps " + (mlp.width() - plan.remove[i]) + " of " + mlp.width() + " neurons");
        }
        Outcome o = new Outcome(plan, edits, Double.NaN, m.budget.after(removed, plan.kept, plan.remove));
        Candidate c = new Candidate(removed, plan.neurons, o.paramsAfter(), Double.NaN, null);
        return result(m, importance, o, List.of(c), 0);
    }

    /** Checks from the headers alone that COMP can edit {@code model} (gated MLPs, 2+ blocks), before any data is read. */
    public static void check(Checkpoint model) {
        Model.of(model, new LayerMap(model.names(), model.config()).blockCount());
    }

    /** The model's MLPs and parameter budget. */
    record Model(Checkpoint checkpoint, List<MlpTensors> mlps, ParamBudget budget) {
        static Model of(Checkpoint model, int blocks) {
            LayerMap layers = new LayerMap(model.names(), model.config());
            if (layers.blockCount() != blocks) {
                throw new InvalidInputException(model.reference() + ": the weights hold " + layers.blockCount()
                        + " blocks but the forward pass has " + blocks);
            }
            MlpBlocks found = MlpBlocks.of(model, layers);
            List<MlpTensors> mlps = new ArrayList<>();
            for (int b = 0; b < found.blockCount(); b++) {
                mlps.add(found.block(b));
            }
            if (mlps.size() < 2) {
                throw new InvalidInputException(model.reference() + ": COMP needs at least 2 transformer blocks");
            }
            return new Model(model, mlps, ParamBudget.of(model, layers, mlps));
        }
    }

    /** Block importance and comparable neuron scores of the dense model. */
    private record Dense(double[] importance, double[][] shares) {
    }

    /**
     * The structure of one candidate: removed blocks, the kept blocks in order and the neurons each
     * loses; {@code note} says why it cannot be run.
     */
    record Plan(List<Integer> removed, int[] kept, int[] remove, long neurons, String note) {
        String describe() {
            return removed.size() + " block" + (removed.size() == 1 ? "" : "s") + (removed.isEmpty() ? "" : " " + removed)
                    + " + " + neurons + " neurons";
        }

        /** Neurons kept block {@code b} loses (0 for a block not kept). */
        int removeOf(int b) {
            for (int i = 0; i < kept.length; i++) {
                if (kept[i] == b) {
                    return remove[i];
                }
            }
            return 0;
        }
    }

    /** A candidate carried out: its block edits, calibration NLL and parameter count. */
    record Outcome(Plan plan, Map<Integer, BlockEdit> edits, double nll, long paramsAfter) {
    }

    /** The dense pass: BI of every block and its neurons' shares of its MLP output. */
    private static Dense dense(TransformerRunner runner, Model m, int[][] windows, Request request, Consumer<String> say) {
        int blocks = m.mlps.size();
        double[] importance = new double[blocks];
        double[][] shares = new double[blocks][];
        List<INDArray> hidden = Calibrator.embedAll(runner, windows, request.batch());
        try {
            for (int b = 0; b < blocks; b++) {
                BlockRun r = BlockRun.of(runner, b, hidden, m.mlps.get(b), true);
                importance[b] = 1 - r.cosineSum() / r.tokens();
                shares[b] = byScore(request) ? shares(m.checkpoint, m.mlps.get(b), r.gramSum(), r.tokens()) : null;
                say.accept(String.format(Locale.ROOT, "dense pass: block %d/%d, importance %.4f", b + 1, blocks,
                        importance[b]));
            }
        } finally {
            hidden.forEach(BlockRun::free);
        }
        return new Dense(importance, shares);
    }

    /** Whether neuron counts follow the scores (else every block ends at one width: --uniform, or magnitude scores). */
    private static boolean byScore(Request request) {
        return !request.uniform() && request.score() == Score.OBS;
    }

    /** OBS saliency of each neuron over the block's MLP output energy E‖y‖² (comparable across blocks). */
    private static double[] shares(Checkpoint model, MlpTensors mlp, double[] gramSum, long tokens) {
        int n = mlp.width();
        float[] down = ElementReader.readAll(model.tensor(mlp.down()));
        double[] colSq = DenseMatrix.columnSquares(down, mlp.hidden(), n);
        int[] all = new int[n];
        for (int j = 0; j < n; j++) {
            all[j] = j;
        }
        double[] s = NeuronImportance.obs(gramSum, tokens, colSq, n, all);
        double[] mm = MaskTuning.outputCovariance(gramSum, DenseMatrix.columnInnerProducts(down, mlp.hidden(), n));
        double energy = 0;
        for (double v : mm) {
            energy += v;
        }
        energy /= tokens;
        if (energy > 0) {
            for (int j = 0; j < n; j++) {
                s[j] /= energy;
            }
        }
        return s;
    }

    /** Blocks by ascending importance (lower index first among equals). */
    static int[] byImportance(double[] importance) {
        Integer[] idx = new Integer[importance.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (x, y) -> {
            int c = Double.compare(importance[x], importance[y]);
            return c != 0 ? c : Integer.compare(x, y);
        });
        return java.util.Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
    }

    /** The removed-block sets to try: the one --layer-share gives, or (auto) each whole-block count 0..max. */
    private static List<List<Integer>> blockOptions(Model m, Request request, double[] importance) {
        int[] order = byImportance(importance);
        List<List<Integer>> out = new ArrayList<>();
        if (request.layerShare() != null) {
            out.add(m.budget.blocksFor(request.ratio(), request.layerShare(), order));
            return out;
        }
        List<Integer> most = m.budget.blocksFor(request.ratio(), 1.0, order);
        for (int k = 0; k <= most.size(); k++) {
            out.add(List.copyOf(most.subList(0, k)));
        }
        return out;
    }

    /** The neurons each kept block loses when {@code removed} blocks go. */
    private static Plan plan(Model m, Request request, List<Integer> removed, double[][] shares) {
        int blocks = m.mlps.size();
        TreeSet<Integer> gone = new TreeSet<>(removed);
        int[] kept = new int[blocks - gone.size()];
        int[] widths = new int[kept.length];
        double[][] s = new double[kept.length][];
        int at = 0;
        for (int b = 0; b < blocks; b++) {
            if (!gone.contains(b)) {
                kept[at] = b;
                widths[at] = m.mlps.get(b).width();
                s[at] = shares[b];
                at++;
            }
        }
        long neurons = m.budget.neuronsFor(request.ratio(), removed);
        long total = java.util.Arrays.stream(widths).asLongStream().sum();
        if (neurons > total * NeuronCounts.MAX_FRACTION) {
            return new Plan(removed, kept, new int[kept.length], neurons, String.format(Locale.ROOT,
                    "%d whole blocks leave %d MLP neurons to remove, more than %.0f%% of the %d the kept blocks hold; "
                            + "raise --layer-share or lower --ratio", removed.size(), neurons,
                    100 * NeuronCounts.MAX_FRACTION, total));
        }
        int[] remove;
        try {
            remove = byScore(request) ? NeuronCounts.byScore(widths, s, neurons) : NeuronCounts.uniform(widths, neurons);
        } catch (IllegalArgumentException e) {
            return new Plan(removed, kept, new int[kept.length], neurons, e.getMessage());
        }
        long actual = java.util.Arrays.stream(remove).asLongStream().sum();
        return new Plan(removed, kept, remove, actual, null);
    }

    private static Result result(Model m, double[] importance, Outcome o, List<Candidate> candidates, int chosen) {
        List<BlockFacts> facts = new ArrayList<>();
        Map<Integer, BlockNeurons> neurons = new LinkedHashMap<>();
        TreeSet<Integer> removed = new TreeSet<>(o.plan().removed());
        for (int b = 0; b < importance.length; b++) {
            MlpTensors mlp = m.mlps.get(b);
            BlockEdit e = o.edits().get(b);
            if (removed.contains(b)) {
                facts.add(new BlockFacts(b, importance[b], true, mlp.width(), 0, Double.NaN, Double.NaN, null));
            } else if (e == null || e.kept().length == mlp.width() && e.tuning().scales() == null) {
                facts.add(new BlockFacts(b, importance[b], false, mlp.width(), mlp.width(), 0, 0, null));
            } else {
                MaskTuning.Outcome t = e.tuning();
                facts.add(new BlockFacts(b, importance[b], false, mlp.width(), e.kept().length, t.errorBefore(),
                        t.errorAfter(), t.fallback()));
                neurons.put(b, e.neurons());
            }
        }
        StructuredEdit edit = new StructuredEdit(importance.length, removed, neurons);
        return new Result(edit, facts, candidates, chosen, m.budget.total(), o.paramsAfter());
    }
}
