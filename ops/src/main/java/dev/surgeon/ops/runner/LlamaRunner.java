package dev.surgeon.ops.runner;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.InvalidInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Swish;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The forward pass of a LLaMA-family decoder (Hugging Face {@code LlamaForCausalLM} math, also
 * Mistral and Qwen2 with q/k/v biases): RMSNorm in F32, rotary embeddings (rotate-half), causal
 * grouped-query attention, SwiGLU MLP, tied or untied head.
 *
 * <p>It runs in one call ({@link #logits}) or block by block ({@link #embed}, {@link #block},
 * {@link #head}), so a caller can feed each block what edited earlier blocks produced. Hidden
 * states are F32 arrays of shape [B, T, hidden]. Weights are decoded to F32 from the checkpoint:
 * all kept when they fit in {@link #DEFAULT_CACHE_BYTES}, else one block (or the embedding, or the
 * head) at a time, so at most one F32 copy of the weights is ever held.
 *
 * <p>Not thread-safe; the checkpoint must stay open while the runner is used.
 */
public final class LlamaRunner extends RunnerBase implements BatchLoss {
    /** Models whose F32 weights take at most this many bytes are kept in memory whole. */
    public static final long DEFAULT_CACHE_BYTES = 2L << 30;

    private final LlamaConfig config;
    private final Map<Long, INDArray[]> ropeTables = new HashMap<>();
    private INDArray rotation;
    private final ArrayPool pool = new ArrayPool();
    private final RotaryHeads rotary;

    private LlamaRunner(Checkpoint model, LlamaConfig config, long cacheBytes) {
        super(model, cacheBytes, config.numLayers(), config.vocabSize(), config.hiddenSize(),
                config.maxPositionEmbeddings());
        this.config = config;
        this.rotary = new RotaryHeads(config);
        if (!config.tieWordEmbeddings() && !weights.has("lm_head.weight")) {
            throw new InvalidInputException(model.reference() + ": tensor 'lm_head.weight' is missing and "
                    + "config.json does not set tie_word_embeddings");
        }
    }

    /** A runner over an opened model, with the sizes of its config.json. */
    public static LlamaRunner open(Checkpoint model) {
        return open(model, DEFAULT_CACHE_BYTES);
    }

    /** As {@link #open(Checkpoint)}, keeping all weights when their F32 size is at most {@code cacheBytes}. */
    public static LlamaRunner open(Checkpoint model, long cacheBytes) {
        return new LlamaRunner(model, LlamaConfig.of(model), cacheBytes);
    }

    public LlamaConfig config() {
        return config;
    }

    /** Token embeddings [B, T, hidden] of a batch of equally long token-id sequences. */
    @Override
    public INDArray embed(int[][] ids) {
        int[] flat = flatIds(ids);
        INDArray table = embedding();
        INDArray rows = Nd4j.pullRows(table, 1, flat);
        release("embed", table);
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, ids.length, ids[0].length, config.hiddenSize());
        out.reshape('c', flat.length, config.hiddenSize()).assign(rows);
        free(rows);
        return out;
    }

    /** Block {@code i} applied to hidden states [B, T, hidden]; returns a new array of that shape. */
    @Override
    public INDArray block(int i, INDArray hidden) {
        return block(i, hidden, null);
    }

    /**
     * As {@link #block(int, INDArray)}; {@code tap} (may be null) receives the inputs of q/k/v_proj
     * (post input_layernorm), o_proj (attention output), gate/up_proj (post post_attention_layernorm)
     * and down_proj (silu(gate)·up).
     */
    @Override
    public INDArray block(int i, INDArray hidden, BlockTap tap) {
        checkBlock(i);
        checkHidden(hidden);
        // own the residual stream as [B, T, H]: ND4J cannot free a reshape (a view), so the
        // owner is what is returned and freed
        INDArray residual = hidden.dup('c');
        blockInPlace(i, residual, tap);
        return residual;
    }

    /** Block {@code i} applied to {@code residual} [B, T, hidden] ('c', owned by the caller) in place. */
    private void blockInPlace(int i, INDArray residual, BlockTap tap) {
        int b = (int) residual.size(0);
        int t = (int) residual.size(1);
        BlockWeights w = blockWeights(i);
        INDArray x = residual.reshape('c', (long) b * t, config.hiddenSize());

        String p = "model.layers." + i + ".";
        INDArray h = rmsNorm(x, w.inputNorm);
        tap(tap, h, p + "self_attn.q_proj", p + "self_attn.k_proj", p + "self_attn.v_proj");
        INDArray attnOwner = attention(h, w, b, t);
        pool.give(h);
        INDArray attn = attnOwner.reshape('c', (long) b * t, (long) config.numHeads() * config.headDim());
        tap(tap, attn, p + "self_attn.o_proj");
        INDArray o = gemm(attn, w.o);
        addBias(o, w.oBias);
        pool.give(attnOwner);
        x.addi(o);
        pool.give(o);

        mlp(x, w, tap, p);
        doneWith(w);
    }

    /** x += down(silu(gate(n)) · up(n)) for n = post_attention_layernorm(x), x [rows, hidden]. */
    private void mlp(INDArray x, BlockWeights w, BlockTap tap, String p) {
        INDArray h = rmsNorm(x, w.postNorm);
        tap(tap, h, p + "mlp.gate_proj", p + "mlp.up_proj");
        // separate products keep gate and up contiguous, so the activation runs on plain buffers
        INDArray act = gemm(h, w.gate);
        INDArray up = gemm(h, w.up);
        addBias(act, w.gateBias);
        addBias(up, w.upBias);
        pool.give(h);
        if (Flat.fits(act) && Flat.fits(up)) {
            SwiGlu.apply(act, up);
        } else {
            Nd4j.exec(new Swish(act, act));
            act.muli(up);
        }
        pool.give(up);
        tap(tap, act, p + "mlp.down_proj");
        INDArray down = gemm(act, w.down);
        addBias(down, w.downBias);
        pool.give(act);
        x.addi(down);
        pool.give(down);
    }

    /** A key/value-cached decoder for {@code batch} sequences of at most {@code maxLength} tokens. */
    @Override
    public Decoder decoder(int batch, int maxLength) {
        return new LlamaDecoder(this, batch, maxLength);
    }

    // the decoder's view of one block: its weights, the norm, the MLP residual step, the release
    BlockWeights blockWeightsOf(int i) {
        checkBlock(i);
        return blockWeights(i);
    }

    INDArray rmsNormOf(INDArray x, INDArray w) {
        return rmsNorm(x, w);
    }

    /** Hands a scratch array from {@link #rmsNormOf} back for reuse. */
    void giveBack(INDArray scratch) {
        pool.give(scratch);
    }

    void mlpInto(INDArray x, BlockWeights w) {
        mlp(x, w, null, "");
    }

    void doneWith(BlockWeights w) {
        if (!cacheAll) {
            w.close();
        }
    }

    @Override
    public void preload() {
        if (!cacheAll) {
            return;
        }
        embedding();
        for (int i = 0; i < blockCount(); i++) {
            blockWeights(i);
        }
        cached("model.norm.weight", () -> weights.load("model.norm.weight", config.hiddenSize()));
        if (weights.has("lm_head.weight")) {
            cached("lm_head.weight", () -> weights.load("lm_head.weight", config.vocabSize(), config.hiddenSize()));
        }
    }

    /** Final norm and LM head: logits [B, T, vocab] of hidden states [B, T, hidden]. */
    @Override
    public INDArray head(INDArray hidden) {
        long[] shape = checkHidden(hidden);
        INDArray logits = Nd4j.createUninitialized(DataType.FLOAT, shape[0], shape[1], config.vocabSize());
        headInto(hidden, logits);
        return logits;
    }

    /** {@link #head} into {@code logits} [B, T, vocab] (contiguous). */
    private void headInto(INDArray hidden, INDArray logits) {
        long[] shape = checkHidden(hidden);
        INDArray x = hidden.reshape('c', shape[0] * shape[1], config.hiddenSize());
        INDArray norm = cached("model.norm.weight", () -> weights.load("model.norm.weight", config.hiddenSize()));
        INDArray h = rmsNorm(x, norm);
        release("model.norm.weight", norm);
        boolean tied = !weights.has("lm_head.weight");
        INDArray lm = tied ? embedding() : cached("lm_head.weight",
                () -> weights.load("lm_head.weight", config.vocabSize(), config.hiddenSize()));
        Nd4j.gemm(h, lm, logits.reshape('c', shape[0] * shape[1], config.vocabSize()), false, true, 1.0, 0.0);
        pool.give(h);
        release(tied ? "embed" : "lm_head.weight", lm);
    }

    /** The whole forward pass and the NLL, the logits in a pooled buffer (262 MB at B 8, T 256, V 32000). */
    @Override
    public double nllSum(int[][] inputs, int[][] windows, int from) {
        INDArray h = embed(inputs);
        for (int i = 0; i < blockCount(); i++) {
            blockInPlace(i, h, null);
        }
        INDArray logits = pool.take(h.size(0), h.size(1), config.vocabSize());
        headInto(h, logits);
        free(h);
        try {
            return Perplexity.nllSum(logits, windows, from);
        } finally {
            pool.give(logits);
        }
    }

    @Override
    public void close() {
        super.close();
        ropeTables.values().forEach(r -> {
            free(r[0]);
            free(r[1]);
        });
        ropeTables.clear();
        free(rotation);
        rotation = null;
        pool.clear();
    }

    private static void tap(BlockTap tap, INDArray input, String... linears) {
        if (tap != null) {
            for (String name : linears) {
                tap.input(name, input);
            }
        }
    }

    /** Causal grouped-query attention with rotary embeddings; h [B·T, hidden] → a new [B, T, heads, head_dim]. */
    private INDArray attention(INDArray h, BlockWeights w, int b, int t) {
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int hd = config.headDim();
        int group = config.groupSize();
        INDArray qkv = gemm(h, w.qkv);
        if (w.qkvBias != null) {
            qkv.addiRowVector(w.qkvBias);
        }
        INDArray[] qkvHeads;
        if (Flat.fits(qkv)) {
            qkvHeads = new INDArray[] {pool.take(b, heads, t, hd), pool.take(b, kvHeads, hd, t), pool.take(b, kvHeads, t, hd)};
            rotary.split(qkv, b, t, qkvHeads[0], qkvHeads[1], qkvHeads[2]);
        } else {
            qkvHeads = splitRotaryNd4j(qkv, b, t);
        }
        pool.give(qkv);
        INDArray qr = qkvHeads[0];
        INDArray kr = qkvHeads[1];
        INDArray v = qkvHeads[2];
        // heads h = g·group + r share key/value head g, so [B, H, T, hd] viewed as
        // [B·KV, group·T, hd] lines each query row up with its key/value head without copying.
        INDArray q3 = qr.reshape('c', (long) b * kvHeads, (long) group * t, hd);
        INDArray k3 = kr.reshape('c', (long) b * kvHeads, hd, t);
        INDArray v3 = v.reshape('c', (long) b * kvHeads, t, hd);
        INDArray scores = pool.take((long) b * kvHeads, (long) group * t, t);
        Nd4j.matmul(q3, k3, scores);
        pool.give(qr);
        pool.give(kr);
        float scale = (float) (1.0 / Math.sqrt(hd));
        if (Flat.fits(scores)) {
            CausalSoftmax.apply(scores, t, scale);
        } else {
            scores.muli(scale).addi(mask(t));
            INDArray rows = scores.reshape('c', scores.length() / t, t);
            Nd4j.exec(new SoftMax(rows, rows, 1));
        }
        INDArray ctx = pool.take((long) b * kvHeads, (long) group * t, hd);
        Nd4j.matmul(scores, v3, ctx);
        pool.give(scores);
        pool.give(v);
        INDArray out = pool.take(b, t, heads, hd).assign(ctx.reshape('c', b, heads, t, hd).permute(0, 2, 1, 3));
        pool.give(ctx);
        return out;
    }

    /**
     * The ND4J path of {@link RotaryHeads#split} for arrays too large for it: q [B, H, T, hd],
     * kᵀ [B, KV, hd, T] (rotated) and v [B, KV, T, hd] from qkv [B·T, (H + 2·KV)·hd].
     */
    private INDArray[] splitRotaryNd4j(INDArray qkv, int b, int t) {
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int hd = config.headDim();
        long qEnd = (long) heads * hd;
        long kEnd = qEnd + (long) kvHeads * hd;
        long vEnd = kEnd + (long) kvHeads * hd;
        // rope on q and k together, rows of head_dim: x·cos + rotate_half(x)·sin, with
        // rotate_half(x) = [−x2, x1] computed as x·R for a signed permutation R, so that every
        // step runs on contiguous arrays of one shape
        INDArray[] cs = ropeTables.computeIfAbsent(((long) b << 32) | t, key -> ropeTable(b, t));
        long bt = (long) b * t;
        INDArray qkOwner = pool.take(bt, kEnd).assign(qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(0, kEnd)));
        INDArray x = qkOwner.reshape('c', bt * (heads + kvHeads), hd);
        INDArray rot = pool.take(bt * (heads + kvHeads), hd);
        Nd4j.gemm(x, rotateHalf(), rot, false, false, 1.0, 0.0);
        INDArray qk3 = x.reshape('c', bt, heads + kvHeads, hd).muli(cs[0]);
        qk3.addi(rot.reshape('c', bt, heads + kvHeads, hd).muli(cs[1]));
        pool.give(rot);
        INDArray qk = qk3.reshape('c', bt, kEnd);
        INDArray qr = splitHeads(qk, 0, qEnd, b, t, heads);
        // keys transposed, [B, KV, hd, T], so the scores are a plain batched product
        INDArray kPart = pool.take(bt, kEnd - qEnd).assign(qk.get(NDArrayIndex.all(), NDArrayIndex.interval(qEnd, kEnd)));
        INDArray kr = pool.take(b, kvHeads, hd, t).assign(kPart.reshape('c', b, t, kvHeads, hd).permute(0, 2, 3, 1));
        pool.give(kPart);
        pool.give(qkOwner);
        INDArray v = splitHeads(qkv, kEnd, vEnd, b, t, kvHeads);
        return new INDArray[] {qr, kr, v};
    }

    /** a · bᵀ into a pooled [rows of a, rows of b] array. */
    private INDArray gemm(INDArray a, INDArray b) {
        INDArray c = pool.take(a.size(0), b.size(0));
        Nd4j.gemm(a, b, c, false, true, 1.0, 0.0);
        return c;
    }

    /** R [hd, hd] with x·R = rotate_half(x) = [−x2, x1] for a row x = [x1, x2]. */
    private INDArray rotateHalf() {
        if (rotation == null) {
            int hd = config.headDim();
            int half = hd / 2;
            float[] m = new float[hd * hd];
            for (int j = 0; j < half; j++) {
                m[(j + half) * hd + j] = -1f;   // out[j] = −x[j + half]
                m[j * hd + j + half] = 1f;      // out[j + half] = x[j]
            }
            rotation = Nd4j.create(m, new long[] {hd, hd}, 'c');
        }
        return rotation;
    }

    /** Columns [from, to) of qkv [B·T, n·hd] as [B, n, T, hd]. */
    private INDArray splitHeads(INDArray qkv, long from, long to, int b, int t, int n) {
        INDArray part = pool.take((long) b * t, to - from).assign(qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)));
        INDArray out = pool.take(b, n, t, config.headDim())
                .assign(part.reshape('c', b, t, n, config.headDim()).permute(0, 2, 1, 3));
        pool.give(part);
        return out;
    }

    /**
     * cos and sin [B·T, heads + kv_heads, hd] of position × frequency (each half of hd repeated),
     * computed as transformers does (F32 angles), tiled over the batch rows and the q and k heads.
     */
    private INDArray[] ropeTable(int b, int t) {
        double[] inv = config.inverseFrequencies();
        int hd = config.headDim();
        int half = hd / 2;
        int n = config.numHeads() + config.numKvHeads();
        int cols = n * hd;
        float[] cos = new float[b * t * cols];
        float[] sin = new float[b * t * cols];
        for (int p = 0; p < t; p++) {
            for (int j = 0; j < half; j++) {
                float angle = (float) p * (float) inv[j];
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                for (int i = 0; i < b; i++) {
                    int row = (i * t + p) * cols;
                    for (int hh = 0; hh < n; hh++) {
                        int at = row + hh * hd + j;
                        cos[at] = c;
                        cos[at + half] = c;
                        sin[at] = s;
                        sin[at + half] = s;
                    }
                }
            }
        }
        return new INDArray[] {Nd4j.create(cos, new long[] {(long) b * t, n, hd}, 'c'),
                Nd4j.create(sin, new long[] {(long) b * t, n, hd}, 'c')};
    }

    /** Query heads sharing a key/value head are stacked along the score rows (see {@link #attention}). */
    @Override
    int maskGroup() {
        return config.groupSize();
    }

    /** x · rsqrt(mean(x²) + eps) · w over the last dimension of x [N, hidden]; returns a new array. */
    private INDArray rmsNorm(INDArray x, INDArray w) {
        INDArray sq = pool.take(x.shape());
        if (Flat.fits(x)) {
            RmsNorm.apply(x, w, config.rmsNormEps(), sq);
            return sq;
        }
        x.mul(x, sq);
        INDArray inv = sq.mean(true, 1).addi(config.rmsNormEps());
        Transforms.pow(inv, -0.5, false);
        INDArray out = sq.assign(x).muliColumnVector(inv).muliRowVector(w);
        free(inv);
        return out;
    }

    private INDArray embedding() {
        return cached("embed", () -> weights.load("model.embed_tokens.weight", config.vocabSize(), config.hiddenSize()));
    }

    private BlockWeights blockWeights(int i) {
        return cached("block." + i, () -> loadBlock(i));
    }

    private BlockWeights loadBlock(int i) {
        String p = "model.layers." + i + ".";
        int d = config.hiddenSize();
        int hd = config.headDim();
        long q = (long) config.numHeads() * hd;
        long kv = (long) config.numKvHeads() * hd;
        int inter = config.intermediateSize(i);
        String[] proj = {p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight", p + "self_attn.v_proj.weight"};
        INDArray qkv = weights.stack(d, proj, new long[][] {{q, d}, {kv, d}, {kv, d}});
        String[] bias = {p + "self_attn.q_proj.bias", p + "self_attn.k_proj.bias", p + "self_attn.v_proj.bias"};
        INDArray qkvBias = null;
        if (weights.has(bias[0]) || weights.has(bias[1]) || weights.has(bias[2]) || config.attentionBias()) {
            qkvBias = weights.stack(0, bias, new long[][] {{q}, {kv}, {kv}});
        }
        INDArray o = weights.load(p + "self_attn.o_proj.weight", d, q);
        INDArray gate = weights.load(p + "mlp.gate_proj.weight", inter, d);
        INDArray up = weights.load(p + "mlp.up_proj.weight", inter, d);
        INDArray down = weights.load(p + "mlp.down_proj.weight", d, inter);
        // LLaMA's attention_bias also gives o_proj a bias (Qwen2's q/k/v biases do not); mlp_bias
        // gives gate, up and down one: each is used when the checkpoint holds it
        return new BlockWeights(weights.load(p + "input_layernorm.weight", d), qkv, qkvBias, o,
                weights.load(p + "post_attention_layernorm.weight", d), gate, up, down,
                optional(p + "self_attn.o_proj.bias", d), optional(p + "mlp.gate_proj.bias", inter),
                optional(p + "mlp.up_proj.bias", inter), optional(p + "mlp.down_proj.bias", d));
    }

    private INDArray optional(String name, long size) {
        return weights.has(name) ? weights.load(name, size) : null;
    }

    /** {@code y += bias} row-wise when there is a bias. */
    static void addBias(INDArray y, INDArray bias) {
        if (bias != null) {
            y.addiRowVector(bias);
        }
    }

    /** One block's F32 weights; the biases are null when the checkpoint has none. */
    record BlockWeights(INDArray inputNorm, INDArray qkv, INDArray qkvBias, INDArray o, INDArray postNorm,
                        INDArray gate, INDArray up, INDArray down, INDArray oBias, INDArray gateBias, INDArray upBias,
                        INDArray downBias) implements Freeable {
        @Override
        public void close() {
            List<INDArray> all = new ArrayList<>(List.of(inputNorm, qkv, o, postNorm, gate, up, down));
            for (INDArray b : new INDArray[] {qkvBias, oBias, gateBias, upBias, downBias}) {
                if (b != null) {
                    all.add(b);
                }
            }
            all.forEach(RunnerBase::free);
        }
    }
}
