package dev.surgeon.ops.prune;

import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.ops.calib.Calibrator;
import dev.surgeon.ops.exec.ElementReader;
import dev.surgeon.ops.exec.Execution;
import dev.surgeon.ops.exec.MemoryBudget;
import dev.surgeon.ops.exec.OrderedParallel;
import dev.surgeon.ops.runner.TransformerRunner;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Wanda (METHODS.md): the score of weight W_ij is |W_ij|·‖X_j‖₂, with ‖X_j‖₂² the sum over
 * calibration tokens of the square of input channel j of its Linear; each tensor's {@link MaskRule}
 * turns scores into a mask (per row by default).
 *
 * <p>Sequential mode follows locuslab/wanda: block by block, the calibration batches run through
 * block i collecting the statistics, block i is pruned (the pruned values are handed to the runner
 * as overrides), then the batches run through the pruned block to give block i+1 its inputs. Only
 * one block's activations and one block's overrides are held at a time.
 */
final class Wanda {
    private Wanda() {
    }

    /** Wanda's scores of a tensor's logical [rows, cols] values; {@code sqSum} has one entry per column. */
    static float[] scores(PrunableTensor t, float[] logical, double[] sqSum) {
        return scores(t, logical, logical.length, sqSum);
    }

    /** As above over the first {@code n} values of {@code logical} (the array may be longer). */
    static float[] scores(PrunableTensor t, float[] logical, int n, double[] sqSum) {
        float[] s = new float[n];
        scoreRows(logical, 0, n, norms(sqSum), s);
        return s;
    }

    /** ‖X_j‖₂ of each input column j. */
    private static double[] norms(double[] sqSum) {
        double[] norm = new double[sqSum.length];
        for (int j = 0; j < norm.length; j++) {
            norm[j] = Math.sqrt(sqSum[j]);
        }
        return norm;
    }

    /** The scores of the {@code len} values (whole rows of norm.length columns) from {@code v[from]} into {@code s[0..len)}. */
    private static void scoreRows(float[] v, int from, int len, double[] norm, float[] s) {
        int cols = norm.length;
        for (int row = 0; row < len; row += cols) {
            for (int j = 0; j < cols; j++) {
                s[row + j] = (float) (Math.abs(v[from + row + j]) * norm[j]);
            }
        }
    }

    /** The mask of one tensor from its input statistics (values read from the checkpoint). */
    static PruneMask mask(PrunableTensor t, double[] sqSum, MaskRule rule) {
        float[] logical = t.toLogical(ElementReader.readAll(t.ref()));
        return rule.select(t, scores(t, logical, sqSum));
    }

    /**
     * One-shot, in the write pass: each tensor's mask from the values being written and its Linear's
     * statistics, applied at once and dropped, so no mask outlives its tensor and nothing is read
     * twice (the masks of a 3B model, one bit a weight, were 352 MB kept between two passes). A
     * row-local rule on a tensor stored [out, in] is scored and cut {@code slabElements} values at a
     * time ({@link RowSlabs}), in the tensor's bytes when it keeps its dtype.
     */
    record InWritePass(Function<String, double[]> sqSums, Function<PrunableTensor, MaskRule> rules, int slabElements)
            implements TensorPruner.BytesCut {
        InWritePass(Function<String, double[]> sqSums, Function<PrunableTensor, MaskRule> rules) {
            this(sqSums, rules, RowSlabs.SLAB);
        }

        @Override
        public long prune(PrunableTensor t, float[] stored, int n) {
            MaskRule rule = rules.apply(t);
            if (RowSlabs.apply(t, rule)) {
                return RowSlabs.cut(t, rule, scorer(t), slabElements, stored);
            }
            // stored [out, in] is the logical view already, and the scores are read before any cut
            float[] logical = t.transposed() ? t.toLogical(java.util.Arrays.copyOf(stored, n)) : stored;
            PruneMask mask = rule.select(t, scores(t, logical, n, sqSums.apply(t.linear())));
            return TensorPruner.applyMask(t, mask, stored);
        }

        @Override
        public boolean cutsBytes(PrunableTensor t) {
            return RowSlabs.inBytes(t, rules.apply(t));
        }

        @Override
        public long[] cutBytes(PrunableTensor t, DType dtype, byte[] a, int base) {
            return RowSlabs.cutBytes(t, rules.apply(t), scorer(t), slabElements, dtype, a, base);
        }

        /** A slab's values and scores in F32, or else the scores and a logical copy of a transposed tensor. */
        @Override
        public long scratchBytes(PrunableTensor t) {
            return RowSlabs.apply(t, rules.apply(t)) ? RowSlabs.scratchBytes(t, slabElements)
                    : (t.transposed() ? 8L : 4L) * t.numel();
        }

        private RowSlabs.Scorer scorer(PrunableTensor t) {
            double[] norm = norms(sqSums.apply(t.linear()));
            return (v, from, len, out) -> scoreRows(v, from, len, norm, out);
        }
    }

    /** One-shot: masks from statistics gathered elsewhere ({@code sqSums} by Linear name). */
    static Map<String, PruneMask> oneShot(List<PrunableTensor> targets, Function<String, double[]> sqSums,
                                          Function<PrunableTensor, MaskRule> rules, Consumer<String> progress) {
        // tensors masked side by side on the run's threads, each holding its values and scores in F32
        // (8 bytes a weight) under the memory budget; the masks come back in the targets' order
        List<PruneMask> masks = OrderedParallel.map(targets, Execution.threads(), t -> {
            double[] sq = sqSums.apply(t.linear());
            MaskRule rule = rules.apply(t);
            try (MemoryBudget.Lease lease = MemoryBudget.acquire(8L * t.numel())) {
                return mask(t, sq, rule);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.util.concurrent.CancellationException("interrupted while waiting for memory");
            }
        });
        Map<String, PruneMask> out = new LinkedHashMap<>();
        for (int i = 0; i < targets.size(); i++) {
            out.put(targets.get(i).name(), masks.get(i));
        }
        progress.accept("wanda: " + targets.size() + " tensors masked");
        return out;
    }

    /** Sequential calibration and pruning, block by block (see the class comment). */
    static Map<String, PruneMask> sequential(TransformerRunner runner, List<PrunableTensor> targets, int[][] windows,
                                             int batch, Function<PrunableTensor, MaskRule> rules,
                                             Consumer<String> progress) {
        Map<Integer, List<PrunableTensor>> byBlock = new TreeMap<>();
        for (PrunableTensor t : targets) {
            byBlock.computeIfAbsent(t.block(), k -> new ArrayList<>()).add(t);
        }
        int last = byBlock.isEmpty() ? -1 : ((TreeMap<Integer, List<PrunableTensor>>) byBlock).lastKey();
        Map<String, PruneMask> out = new LinkedHashMap<>();
        if (byBlock.isEmpty()) {
            return out;
        }
        List<INDArray> hidden = Calibrator.embedAll(runner, windows, batch);
        try {
            for (int i = 0; i <= last; i++) {
                List<PrunableTensor> group = byBlock.getOrDefault(i, List.of());
                if (!group.isEmpty()) {
                    InputNorms tap = new InputNorms();
                    for (INDArray h : hidden) {
                        free(runner.block(i, h, tap));
                        tap.endOfRun();
                    }
                    for (PrunableTensor t : group) {
                        double[] sq = tap.sums(t.linear());
                        if (sq == null) {
                            throw new InvalidInputException("the forward pass of block " + i + " has no Linear '"
                                    + t.linear() + "': '" + t.name() + "' cannot be scored from activations");
                        }
                        checkWidth(t, sq.length, "the forward pass");
                        float[] logical = t.toLogical(ElementReader.readAll(t.ref()));
                        PruneMask m = rules.apply(t).select(t, scores(t, logical, sq));
                        out.put(t.name(), m);
                        m.apply(logical);
                        runner.override(t.name(), t.toStored(logical));
                    }
                }
                if (i < last) {
                    // the next block's inputs come from this block as pruned
                    for (int k = 0; k < hidden.size(); k++) {
                        INDArray next = runner.block(i, hidden.get(k));
                        free(hidden.get(k));
                        hidden.set(k, next);
                    }
                }
                for (PrunableTensor t : group) {
                    runner.override(t.name(), null); // block i never runs again
                }
                progress.accept("wanda: block " + (i + 1) + "/" + (last + 1) + " pruned");
            }
        } finally {
            hidden.forEach(Wanda::free);
            for (PrunableTensor t : targets) {
                runner.override(t.name(), null);
            }
        }
        return out;
    }

    static void checkWidth(PrunableTensor t, int width, String source) {
        if (width != t.cols()) {
            throw new InvalidInputException("Linear '" + t.linear() + "': " + source + " gives " + width
                    + " input features, the weight '" + t.name() + "' has " + t.cols());
        }
    }

    static void free(INDArray a) {
        if (a != null && a.closeable()) {
            a.close();
        }
    }
}
