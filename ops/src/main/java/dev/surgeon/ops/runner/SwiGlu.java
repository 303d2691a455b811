package dev.surgeon.ops.runner;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;

/**
 * gate ← silu(gate) · up = gate / (1 + e^−gate) · up, in place, one read of each operand: ND4J's
 * Swish and the product were two passes with a slower exponential.
 */
final class SwiGlu {
    private static final int CHUNK = 4096;

    private SwiGlu() {
    }

    /** gate and up: {@link Flat} arrays of one length. */
    static void apply(INDArray gate, INDArray up) {
        int n = (int) gate.length();
        FloatBuffer g = gate.data().asNioFloat();
        FloatBuffer u = up.data().asNioFloat();
        int chunks = (n + CHUNK - 1) / CHUNK;
        Parallel.forRange(chunks, (from, to) -> {
            float[] x = new float[CHUNK];
            float[] e = new float[CHUNK];
            float[] y = new float[CHUNK];
            float[] k = new float[CHUNK];
            for (int c = from; c < to; c++) {
                int at = c * CHUNK;
                int len = Math.min(CHUNK, n - at);
                g.get(at, x, 0, len);
                u.get(at, y, 0, len);
                for (int i = 0; i < len; i++) {
                    e[i] = -x[i];
                }
                FastExp.expInPlace(e, 0, len, k);
                for (int i = 0; i < len; i++) {
                    x[i] = x[i] / (1f + e[i]) * y[i];
                }
                g.put(at, x, 0, len);
            }
        });
    }
}
