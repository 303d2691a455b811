package dev.surgeon.ops.runner;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;


/**
 * {@link Decoder} of a {@link LlamaRunner}: the projections and the MLP go through the runner's
 * ND4J products on [batch, hidden] rows; the one-position attention against the cache, and the
 * rotary embedding of that position, are plain loops over Java arrays (for one query row per head
 * they cost less than the calls that would hand them to ND4J). Same math as the full forward pass:
 * logits agree with it to float rounding.
 */
final class LlamaDecoder implements Decoder {
    private final LlamaRunner runner;
    private final LlamaConfig config;
    private final int batch;
    private final int maxLength;
    private final double[] inv;
    /** Per block: keys and values [batch, kv_heads, maxLength, head_dim], post-rotary keys. */
    private float[][] keys;
    private float[][] values;
    private final int perBlock;
    private int pos;

    LlamaDecoder(LlamaRunner runner, int batch, int maxLength) {
        this.runner = runner;
        this.config = runner.config();
        this.batch = batch;
        this.maxLength = maxLength;
        this.inv = config.inverseFrequencies();
        long perBlock = (long) batch * config.numKvHeads() * maxLength * config.headDim();
        if (perBlock > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("key/value cache of " + perBlock + " floats per block; use a smaller batch");
        }
        this.perBlock = (int) perBlock;
    }

    @Override
    public long cacheBytesPerSequence() {
        return 2L * config.numLayers() * config.numKvHeads() * maxLength * config.headDim() * Float.BYTES;
    }

    @Override
    public int position() {
        return pos;
    }

    @Override
    public float[] step(int[] tokens) {
        if (tokens.length != batch) {
            throw new IllegalArgumentException(tokens.length + " tokens for a batch of " + batch);
        }
        if (pos >= maxLength) {
            throw new IllegalStateException("decoder is full (" + maxLength + " positions)");
        }
        if (keys == null) {
            keys = new float[config.numLayers()][perBlock];
            values = new float[config.numLayers()][perBlock];
        }
        int[][] ids = new int[batch][1];
        for (int i = 0; i < batch; i++) {
            ids[i][0] = tokens[i];
        }
        int d = config.hiddenSize();
        INDArray stream = runner.embed(ids);  // [batch, 1, d], owned; x is its 2-D view
        INDArray x = stream.reshape('c', batch, d);
        for (int l = 0; l < config.numLayers(); l++) {
            LlamaRunner.BlockWeights w = runner.blockWeightsOf(l);
            INDArray h = runner.rmsNormOf(x, w.inputNorm());
            INDArray qkv = Nd4j.gemm(h, w.qkv(), false, true);
            runner.giveBack(h);
            if (w.qkvBias() != null) {
                qkv.addiRowVector(w.qkvBias());
            }
            float[] attn = attend(l, qkv.data().asFloat());
            RunnerBase.free(qkv);
            INDArray a = Nd4j.create(attn, new long[] {batch, (long) config.numHeads() * config.headDim()}, 'c');
            INDArray o = Nd4j.gemm(a, w.o(), false, true);
            LlamaRunner.addBias(o, w.oBias());
            RunnerBase.free(a);
            x.addi(o);
            RunnerBase.free(o);
            runner.mlpInto(x, w);
            runner.doneWith(w);
        }
        pos++;
        INDArray logits = runner.head(stream);
        RunnerBase.free(stream);
        float[] out = logits.data().asFloat();
        RunnerBase.free(logits);
        return out;
    }

    /** Rotary embedding at this position, cache append, causal attention over positions 0..pos. */
    private float[] attend(int layer, float[] qkv) {
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int hd = config.headDim();
        int half = hd / 2;
        int group = config.groupSize();
        int width = (heads + 2 * kvHeads) * hd;
        float[] cos = new float[half];
        float[] sin = new float[half];
        for (int j = 0; j < half; j++) {
            float angle = (float) pos * (float) inv[j];
            cos[j] = (float) Math.cos(angle);
            sin[j] = (float) Math.sin(angle);
        }
        float[] kc = keys[layer];
        float[] vc = values[layer];
        float[] out = new float[batch * heads * hd];
        float[] q = new float[hd];
        double[] scores = new double[pos + 1];
        float scale = (float) (1.0 / Math.sqrt(hd));
        for (int b = 0; b < batch; b++) {
            int row = b * width;
            for (int g = 0; g < kvHeads; g++) {
                int slot = ((b * kvHeads + g) * maxLength + pos) * hd;
                rotate(qkv, row + (heads + g) * hd, kc, slot, cos, sin, half);
                System.arraycopy(qkv, row + (heads + kvHeads + g) * hd, vc, slot, hd);
            }
            for (int hh = 0; hh < heads; hh++) {
                rotate(qkv, row + hh * hd, q, 0, cos, sin, half);
                int base = (b * kvHeads + hh / group) * maxLength * hd;
                double max = Double.NEGATIVE_INFINITY;
                for (int p = 0; p <= pos; p++) {
                    float dot = 0;
                    int k = base + p * hd;
                    for (int j = 0; j < hd; j++) {
                        dot += q[j] * kc[k + j];
                    }
                    scores[p] = dot * scale;
                    max = Math.max(max, scores[p]);
                }
                double sum = 0;
                for (int p = 0; p <= pos; p++) {
                    scores[p] = Math.exp(scores[p] - max);
                    sum += scores[p];
                }
                int o = (b * heads + hh) * hd;
                for (int p = 0; p <= pos; p++) {
                    float wgt = (float) (scores[p] / sum);
                    int v = base + p * hd;
                    for (int j = 0; j < hd; j++) {
                        out[o + j] += wgt * vc[v + j];
                    }
                }
            }
        }
        return out;
    }

    /** dst[at..at+hd) = x·cos + rotate_half(x)·sin for x = src[from..from+hd). */
    private static void rotate(float[] src, int from, float[] dst, int at, float[] cos, float[] sin, int half) {
        for (int j = 0; j < half; j++) {
            float x1 = src[from + j];
            float x2 = src[from + half + j];
            dst[at + j] = x1 * cos[j] - x2 * sin[j];
            dst[at + half + j] = x2 * cos[j] + x1 * sin[j];
        }
    }

    @Override
    public void close() {
        keys = null;
        values = null;
    }
}
