package dev.surgeon.ops.runner;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.nio.FloatBuffer;
import java.util.function.IntConsumer;

/**
 * Mean next-token NLL of a model over evaluation windows: each window of T+1 tokens feeds its
 * first T and predicts its last T. Log-softmax is computed per position in F32 with the maximum
 * subtracted; the NLLs are summed in double.
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
            INDArray logits = runner.logits(inputs);
            total += nllSum(logits, windows, start);
            if (logits.closeable()) {
                logits.close();
            }
            progress.accept(start + b);
        }
        long tokens = (long) windows.length * t;
        return new Result(total / tokens, tokens, windows.length);
    }

    /**
     * Σ of the NLLs that {@code logits} [b, T, V] (of the first T tokens of windows[from..from+b))
     * give the last T tokens of those windows. The logits are overwritten (used up).
     */
    public static double nllSum(INDArray logits, int[][] windows, int from) {
        int b = (int) logits.size(0);
        int t = (int) logits.size(1);
        int vocab = (int) logits.size(2);
        long n = (long) b * t;
        INDArray c = logits.isView() || logits.ordering() != 'c' ? logits.dup('c') : logits;
        FloatBuffer data = c.data().asNioFloat();
        // the target logits first: the log-sum-exp below overwrites the array in place
        double total = 0;
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
                total -= data.get((int) ((i * (long) t + p) * vocab + target));
            }
        }
        // log Σ exp(x − max) + max per row, in ND4J's vectorised, threaded kernels
        INDArray rows = c.reshape('c', n, vocab);
        INDArray max = rows.max(true, 1);
        rows.subiColumnVector(max);
        Transforms.exp(rows, false);
        INDArray sums = rows.sum(true, 1);
        FloatBuffer m = max.data().asNioFloat();
        FloatBuffer e = sums.data().asNioFloat();
        for (int r = 0; r < n; r++) {
            total += Math.log(e.get(r)) + m.get(r);
        }
        max.close();
        sums.close();
        if (c != logits && c.closeable()) {
            c.close();
        }
        return total;
    }

}
