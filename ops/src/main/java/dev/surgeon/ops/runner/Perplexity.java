package dev.surgeon.ops.runner;

import org.nd4j.linalg.api.ndarray.INDArray;

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
        float[] row = new float[vocab];
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
            FloatBuffer data = logits.data().asNioFloat();
            for (int i = 0; i < b; i++) {
                for (int p = 0; p < t; p++) {
                    data.get((i * t + p) * vocab, row);
                    total += nll(row, windows[start + i][p + 1]);
                }
            }
            if (logits.closeable()) {
                logits.close();
            }
            progress.accept(start + b);
        }
        long tokens = (long) windows.length * t;
        return new Result(total / tokens, tokens, windows.length);
    }

    /** −log softmax(logits)[target], in F32 with the maximum subtracted. */
    static float nll(float[] logits, int target) {
        float max = Float.NEGATIVE_INFINITY;
        for (float x : logits) {
            max = Math.max(max, x);
        }
        float sum = 0;
        for (float x : logits) {
            sum += (float) Math.exp(x - max);
        }
        return (float) Math.log(sum) + max - logits[target];
    }
}
