package dev.surgeon.ops.runner;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;

/**
 * softmax(scale · scores + causal mask) over the rows of attention scores, in place. Row r holds
 * query position r mod T (heads sharing a key/value head are stacked along the rows); its keys
 * after that position get exactly 0, as the additive −1e30 mask gave, but without exponentiating
 * them: half of a causal score matrix is never read. One pass over the memory replaces ND4J's
 * scale, mask-add and multi-pass softmax.
 */
final class CausalSoftmax {
    private CausalSoftmax() {
    }

    /** scores [rows, T] ({@link Flat}) ← causal softmax of scale·scores along each row. */
    static void apply(INDArray scores, int t, float scale) {
        FloatBuffer data = scores.data().asNioFloat();
        int base = (int) scores.offset();
        int rows = (int) (scores.length() / t);
        Parallel.forRange(rows, (from, to) -> {
            float[] row = new float[t];
            float[] k = new float[t];
            for (int r = from; r < to; r++) {
                int n = r % t + 1;   // keys 0..position
                int at = base + r * t;
                data.get(at, row, 0, n);
                float max = Sums.max(row, 0, n);
                for (int j = 0; j < n; j++) {
                    row[j] = (row[j] - max) * scale;
                }
                FastExp.expInPlace(row, 0, n, k);
                float inv = (float) (1.0 / Sums.of(row, 0, n));
                for (int j = 0; j < n; j++) {
                    row[j] *= inv;
                }
                java.util.Arrays.fill(row, n, t, 0f);
                data.put(at, row, 0, t);
            }
        });
    }
}
