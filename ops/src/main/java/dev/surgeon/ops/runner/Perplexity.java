package dev.surgeon.ops.runner;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;
import java.util.function.IntConsumer;

/**
 * Mean next-token NLL of a model over evaluation windows: each window of T+1 tokens feeds its
 * first T and predicts its last T. Log-softmax is computed per position in F32 with the maximum
 * subtracted; the exponentials and the NLLs are summed in double.
 */
public final class Perplexity {
    private Perplexity() {
    }

    /**
     * @param meanNll mean NLL in nats per predicted token
     * @param tokens  predicted tokens
     * @param windows windows evaluated
     */
    public record Result(double meanNll, long tokens, int windows) {
        public double perplexity() {
            return Math.exp(meanNll);
        }
    }

    /** A batch size that keeps one batch's logits and attention scores to a few hundred MB. */
    public static int defaultBatch(TransformerRunner runner, int t) {
        // logits [T, V] and attention scores [heads, T, T] dominate; heads ≤ 128 bounds the latter
        long perWindow = (long) t * Math.max(runner.vocabSize(), 128L * t);
        long fit = Math.max(1, (64L << 20) / Math.max(1, perWindow));
        return (int) Math.min(64, Math.max(1, Math.min(fit, 16384L / t)));
    }

    /**
     * Evaluates {@code windows} (each of the same length T+1) in batches of {@code batch};
     * {@code progress} receives the number of windows done after each batch.
     */
    public static Result evaluate(TransformerRunner runner, int[][] windows, int batch, IntConsumer progress) {
        if (windows.length == 0) {
            throw new IllegalArgumentException("no windows");
        }
        int t = windows[0].length - 1;
        int vocab = runner.vocabSize();
        double total = 0;
        // one batch's logits are read through an int-indexed buffer
        batch = (int) Math.max(1, Math.min(batch, Integer.MAX_VALUE / ((long) t * vocab)));
        for (int start = 0; start < windows.length; start += batch) {
            int b = Math.min(batch, windows.length - start);
            int[][] inputs = new int[b][];
            for (int i = 0; i < b; i++) {
                if (windows[start + i].length != t + 1) {
                    throw new IllegalArgumentException("windows must have the same length");
                }
                inputs[i] = java.util.Arrays.copyOf(windows[start + i], t);
            }
            total += runner instanceof BatchLoss own ? own.nllSum(inputs, windows, start)
                    : nllOfLogits(runner, inputs, windows, start);
            progress.accept(start + b);
        }
        long tokens = (long) windows.length * t;
        return new Result(total / tokens, tokens, windows.length);
    }

    private static double nllOfLogits(TransformerRunner runner, int[][] inputs, int[][] windows, int from) {
        INDArray logits = runner.logits(inputs);
        double sum = nllSum(logits, windows, from);
        if (logits.closeable()) {
            logits.close();
        }
        return sum;
    }

    /**
     * Σ of the NLLs that {@code logits} [b, T, V] (of the first T tokens of windows[from..from+b))
     * give the last T tokens of those windows. The logits are only read.
     */
    public static double nllSum(INDArray logits, int[][] windows, int from) {
        int b = (int) logits.size(0);
        int t = (int) logits.size(1);
        int vocab = (int) logits.size(2);
        int n = b * t;
        int[] targets = new int[n];
        for (int i = 0; i < b; i++) {
            if (windows[from + i].length != t + 1) {
                throw new IllegalArgumentException("logits of " + t + " positions for a window of "
                        + windows[from + i].length + " tokens");
            }
            for (int p = 0; p < t; p++) {
                int target = windows[from + i][p + 1];
                if (target < 0 || target >= vocab) {
                    throw new IllegalArgumentException("target " + target + " outside the vocabulary");
                }
                targets[i * t + p] = target;
            }
        }
        INDArray c = logits.isView() || logits.ordering() != 'c' ? logits.dup('c') : logits;
        FloatBuffer data = c.data().asNioFloat();
        // per row: log Σ exp(x − max) + max − x[target], in one read of the row
        double[] nll = new double[n];
        Parallel.forRange(n, (lo, hi) -> {
            float[] row = new float[vocab];
            float[] k = new float[vocab];
            for (int r = lo; r < hi; r++) {
                data.get(r * vocab, row, 0, vocab);
                float target = row[targets[r]];
                float max = Sums.max(row, 0, vocab);
                for (int j = 0; j < vocab; j++) {
                    row[j] -= max;
                }
                FastExp.expInPlace(row, 0, vocab, k);
                nll[r] = Math.log(Sums.of(row, 0, vocab)) + max - target;
            }
        });
        if (c != logits && c.closeable()) {
            c.close();
        }
        double total = 0;
        for (double x : nll) {
            total += x;
        }
        return total;
    }
}
