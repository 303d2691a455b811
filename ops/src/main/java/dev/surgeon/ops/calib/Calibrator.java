package dev.surgeon.ops.calib;

import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.ops.runner.BlockTap;
import dev.surgeon.ops.runner.TransformerRunner;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.Predicate;

/**
 * Collects {@link ActivationStats} by running calibration windows through a model block by block
 * (sequential mode): block i is fed the output of block i−1 for all windows, so only one block's
 * activations ([N, T, hidden]) are held at a time. Each Linear's input comes through the runner's
 * {@link BlockTap}; the per-channel sums of squares, token counts, optional Gram matrices and the
 * block input/output cosines are accumulated in double.
 */
public final class Calibrator {
    /** Linears whose Gram matrix {@code --gram} collects: the MLP down projections. */
    public static final Predicate<String> MLP_DOWN = n -> n.endsWith("mlp.down_proj") || n.endsWith("mlp.c_proj");

    private Calibrator() {
    }

    /**
     * Runs {@code windows} (each of T tokens) in batches of {@code batch}.
     *
     * @param gram     which Linears also get XᵀX (null: none)
     * @param metadata the {@code __metadata__} to carry in the result
     * @param progress receives the number of blocks done after each block
     */
    public static ActivationStats run(TransformerRunner runner, int[][] windows, int batch, Predicate<String> gram,
                                      Map<String, String> metadata, IntConsumer progress) {
        if (windows.length == 0) {
            throw new IllegalArgumentException("no calibration windows");
        }
        List<INDArray> hidden = embedAll(runner, windows, batch);
        Accumulator acc = new Accumulator(gram);
        double[] cosine = new double[runner.blockCount()];
        try {
            for (int i = 0; i < runner.blockCount(); i++) {
                double cosSum = 0;
                long tokens = 0;
                for (int k = 0; k < hidden.size(); k++) {
                    INDArray in = hidden.get(k);
                    INDArray out;
                    try {
                        out = runner.block(i, in, acc);
                    } catch (UnsupportedOperationException e) {
                        throw new InvalidInputException(e.getMessage());
                    }
                    acc.forget();
                    cosSum += cosineSum(in, out);
                    tokens += in.size(0) * in.size(1);
                    free(in);
                    hidden.set(k, out);
                }
                cosine[i] = cosSum / tokens;
                progress.accept(i + 1);
            }
        } finally {
            hidden.forEach(Calibrator::free);
        }
        return new ActivationStats(acc.result(), cosine, metadata);
    }

    /** The embeddings of {@code windows} in batches of {@code batch} (block 0's inputs). */
    public static List<INDArray> embedAll(TransformerRunner runner, int[][] windows, int batch) {
        if (windows.length == 0) {
            throw new IllegalArgumentException("no calibration windows");
        }
        batch = Math.max(1, batch);
        List<INDArray> hidden = new ArrayList<>();
        for (int start = 0; start < windows.length; start += batch) {
            int b = Math.min(batch, windows.length - start);
            int[][] ids = new int[b][];
            System.arraycopy(windows, start, ids, 0, b);
            hidden.add(runner.embed(ids));
        }
        return hidden;
    }

    /** Σ over tokens of cos(in_t, out_t) for hidden states [B, T, H] (a zero vector counts as cosine 0). */
    public static double cosineSum(INDArray in, INDArray out) {
        int h = (int) in.size(2);
        long n = in.size(0) * in.size(1);
        FloatBuffer a = floats(in);
        FloatBuffer b = floats(out);
        double sum = 0;
        for (long t = 0; t < n; t++) {
            int base = (int) (t * h);
            double dot = 0;
            double na = 0;
            double nb = 0;
            for (int j = 0; j < h; j++) {
                double x = a.get(base + j);
                double y = b.get(base + j);
                dot += x * y;
                na += x * x;
                nb += y * y;
            }
            if (na > 0 && nb > 0) {
                sum += Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb)));
            }
        }
        return sum;
    }

    /** The row-major float data of a contiguous array (copied to one when it is not). */
    private static FloatBuffer floats(INDArray a) {
        INDArray c = a.isView() || a.ordering() != 'c' || a.dataType() != DataType.FLOAT
                ? a.castTo(DataType.FLOAT).dup('c') : a;
        if (c.length() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("one batch's activations exceed 2^31 elements; use a smaller batch");
        }
        return c.data().asNioFloat();
    }

    private static void free(INDArray a) {
        if (a != null && a.closeable()) {
            a.close();
        }
    }

    /** The tap: per-Linear sums, reusing one computation for Linears that share an input array. */
    private static final class Accumulator implements BlockTap {
        private final Predicate<String> gramFor;
        private final Map<String, double[]> sq = new LinkedHashMap<>();
        private final Map<String, Long> tokens = new HashMap<>();
        private final Map<String, INDArray> grams = new HashMap<>();
        private INDArray lastInput;
        private double[] lastSq;
        private INDArray lastGram;

        Accumulator(Predicate<String> gramFor) {
            this.gramFor = gramFor;
        }

        @Override
        public void input(String linear, INDArray x) {
            if (x.rank() != 2) {
                throw new IllegalStateException("tap input of " + linear + " must be [B·T, in]");
            }
            int in = (int) x.size(1);
            long rows = x.size(0);
            if (x != lastInput) {
                lastInput = x;
                lastSq = ChannelSquares.of(x);
                free(lastGram);
                lastGram = null;
            }
            double[] s = sq.computeIfAbsent(linear, k -> new double[in]);
            if (s.length != in) {
                throw new IllegalStateException(linear + ": input width changed from " + s.length + " to " + in);
            }
            for (int j = 0; j < in; j++) {
                s[j] += lastSq[j];
            }
            tokens.merge(linear, rows, Long::sum);
            if (gramFor != null && gramFor.test(linear)) {
                if (lastGram == null) {
                    INDArray d = x.castTo(DataType.DOUBLE);
                    lastGram = Nd4j.gemm(d, d, true, false);
                    free(d);
                }
                INDArray g = grams.get(linear);
                if (g == null) {
                    grams.put(linear, lastGram.dup());
                } else {
                    g.addi(lastGram);
                }
            }
        }

        /** Drops the shared-input cache after a block (the runner frees those arrays). */
        void forget() {
            lastInput = null;
            lastSq = null;
            free(lastGram);
            lastGram = null;
        }

        Map<String, ActivationStats.Linear> result() {
            Map<String, ActivationStats.Linear> out = new LinkedHashMap<>();
            sq.forEach((name, s) -> {
                INDArray g = grams.remove(name);
                double[] gram = null;
                if (g != null) {
                    INDArray c = g.dup('c');
                    gram = c.data().asDouble();
                    free(c);
                    free(g);
                }
                out.put(name, new ActivationStats.Linear(s, tokens.get(name), gram));
            });
            return out;
        }
    }
}
