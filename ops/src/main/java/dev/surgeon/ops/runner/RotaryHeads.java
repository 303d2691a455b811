package dev.surgeon.ops.runner;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The fused q/k/v projection output [B·T, (H + 2·KV)·hd] cut into the layouts attention multiplies:
 * q [B, H, T, hd] and kᵀ [B, KV, hd, T] with rotary embeddings (rotate-half, as transformers), and
 * v [B, KV, T, hd]. One Java pass per head replaces ND4J's column copies, the rotation product, the
 * cos/sin multiplies and the permute copies, each a trip through memory.
 */
final class RotaryHeads {
    private final int heads;
    private final int kvHeads;
    private final int hd;
    private final double[] inv;
    private final Map<Integer, float[][]> tables = new HashMap<>();

    RotaryHeads(LlamaConfig config) {
        this.heads = config.numHeads();
        this.kvHeads = config.numKvHeads();
        this.hd = config.headDim();
        this.inv = config.inverseFrequencies();
    }

    /** Fills q, kT and v ({@link Flat}, shapes as in the class comment) from qkv of {@code b} sequences of {@code t}. */
    void split(INDArray qkv, int b, int t, INDArray q, INDArray kT, INDArray v) {
        float[][] cs = tables.computeIfAbsent(t, this::table);
        FloatBuffer src = qkv.data().asNioFloat();
        FloatBuffer qd = q.data().asNioFloat();
        FloatBuffer kd = kT.data().asNioFloat();
        FloatBuffer vd = v.data().asNioFloat();
        int slots = heads + 2 * kvHeads;
        int width = slots * hd;
        int half = hd / 2;
        Parallel.forRange(b * slots, (from, to) -> {
            float[] x = new float[hd];
            float[] out = new float[t * hd];
            for (int task = from; task < to; task++) {
                int bb = task / slots;
                int s = task % slots;
                int col = s * hd;
                boolean isK = s >= heads && s < heads + kvHeads;
                for (int p = 0; p < t; p++) {
                    int at = (bb * t + p) * width + col;
                    if (s >= heads + kvHeads) {
                        src.get(at, out, p * hd, hd);
                        continue;
                    }
                    src.get(at, x, 0, hd);
                    float[] cos = cs[0];
                    float[] sin = cs[1];
                    int c = p * half;
                    for (int j = 0; j < half; j++) {
                        float x1 = x[j];
                        float x2 = x[half + j];
                        float y1 = x1 * cos[c + j] - x2 * sin[c + j];
                        float y2 = x2 * cos[c + j] + x1 * sin[c + j];
                        if (isK) {   // transposed: [hd, T]
                            out[j * t + p] = y1;
                            out[(half + j) * t + p] = y2;
                        } else {
                            out[p * hd + j] = y1;
                            out[p * hd + half + j] = y2;
                        }
                    }
                }
                if (s < heads) {
                    qd.put((bb * heads + s) * t * hd, out, 0, t * hd);
                } else if (isK) {
                    kd.put((bb * kvHeads + s - heads) * t * hd, out, 0, t * hd);
                } else {
                    vd.put((bb * kvHeads + s - heads - kvHeads) * t * hd, out, 0, t * hd);
                }
            }
        });
    }

    /** cos and sin [T, hd/2] of position × frequency, with F32 angles as transformers computes them. */
    private float[][] table(int t) {
        int half = hd / 2;
        float[] cos = new float[t * half];
        float[] sin = new float[t * half];
        for (int p = 0; p < t; p++) {
            for (int j = 0; j < half; j++) {
                float angle = (float) p * (float) inv[j];
                cos[p * half + j] = (float) Math.cos(angle);
                sin[p * half + j] = (float) Math.sin(angle);
            }
        }
        return new float[][] {cos, sin};
    }
}
