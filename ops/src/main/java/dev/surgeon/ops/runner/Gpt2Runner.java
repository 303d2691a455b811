package dev.surgeon.ops.runner;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.InvalidInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.List;

/**
 * The forward pass of GPT-2 (Hugging Face {@code GPT2LMHeadModel} / {@code GPT2Model} math): token
 * plus learned position embeddings, pre-LayerNorm blocks with fused q/k/v ({@code c_attn}) and
 * causal multi-head attention, a GELU MLP, final {@code ln_f}, and {@code lm_head.weight} as head or
 * the token embedding when tied. Conv1D weights are stored [in, out] and applied as x · W + b.
 *
 * <p>Tensor names may carry the {@code transformer.} prefix (LM-head checkpoints) or not (base
 * models). Hidden states are F32 [B, T, n_embd]; weights are decoded to F32, all kept when they
 * fit in {@link LlamaRunner#DEFAULT_CACHE_BYTES}, else loaded one block at a time.
 *
 * <p>Not thread-safe; the checkpoint must stay open while the runner is used.
 */
public final class Gpt2Runner extends RunnerBase {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    private final Gpt2Config config;
    private final String prefix;
    private final String reference;

    private Gpt2Runner(Checkpoint model, Gpt2Config config, long cacheBytes) {
        super(model, cacheBytes, config.numLayers(), config.vocabSize(), config.hiddenSize(), config.maxPositions());
        this.config = config;
        this.reference = model.reference();
        if (weights.has("transformer.wte.weight")) {
            prefix = "transformer.";
        } else if (weights.has("wte.weight")) {
            prefix = "";
        } else {
            throw new InvalidInputException(reference + ": neither 'transformer.wte.weight' nor 'wte.weight' is "
                    + "present; not a GPT-2 checkpoint");
        }
        if (!config.tieWordEmbeddings() && !weights.has("lm_head.weight")) {
            throw new InvalidInputException(reference + ": tensor 'lm_head.weight' is missing and config.json sets "
                    + "tie_word_embeddings to false");
        }
    }

    /** A runner over an opened GPT-2 model, with the sizes of its config.json. */
    public static Gpt2Runner open(Checkpoint model) {
        return open(model, LlamaRunner.DEFAULT_CACHE_BYTES);
    }

    /** As {@link #open(Checkpoint)}, keeping all weights when their F32 size is at most {@code cacheBytes}. */
    public static Gpt2Runner open(Checkpoint model, long cacheBytes) {
        return new Gpt2Runner(model, Gpt2Config.of(model), cacheBytes);
    }

    public Gpt2Config config() {
        return config;
    }

    /** Token plus position embeddings [B, T, n_embd]. */
    @Override
    public INDArray embed(int[][] ids) {
        int[] flat = flatIds(ids);
        int b = ids.length;
        int t = ids[0].length;
        int d = config.hiddenSize();
        INDArray table = embedding();
        INDArray rows = Nd4j.pullRows(table, 1, flat);
        release("wte", table);
        INDArray wpe = cached("wpe", () -> load("wpe.weight", config.maxPositions(), d));
        INDArray pos = wpe.get(NDArrayIndex.interval(0, t), NDArrayIndex.all());
        // an owned [B, T, D] (a reshape is a view that ND4J cannot free)
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, b, t, d);
        out.reshape('c', (long) b * t, d).assign(rows);
        free(rows);
        for (int i = 0; i < b; i++) {
            out.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all()).addi(pos);
        }
        release("wpe", wpe);
        return out;
    }

    /** Positions past the learned table have no embedding. */
    @Override
    void checkLength(int t) {
        if (t > config.maxPositions()) {
            throw new InvalidInputException("sequence of " + t + " tokens is longer than the model's " + config.maxPositions()
                    + " learned positions (n_positions)");
        }
    }

    /** Block {@code i} applied to hidden states [B, T, n_embd]; returns a new array of that shape. */
    @Override
    public INDArray block(int i, INDArray hidden) {
        return block(i, hidden, null);
    }

    /**
     * As {@link #block(int, INDArray)}; {@code tap} (may be null) receives the inputs of
     * {@code attn.c_attn} (post ln_1), {@code attn.c_proj} (attention context), {@code mlp.c_fc}
     * (post ln_2) and {@code mlp.c_proj} (GELU output), named with the checkpoint's prefix.
     */
    @Override
    public INDArray block(int i, INDArray hidden, BlockTap tap) {
        checkBlock(i);
        long[] shape = checkHidden(hidden);
        int b = (int) shape[0];
        int t = (int) shape[1];
        int d = config.hiddenSize();
        BlockWeights w = blockWeights(i);
        INDArray residual = hidden.dup('c');   // owned; x is its 2-D view
        INDArray x = residual.reshape('c', (long) b * t, d);

        String p = prefix + "h." + i + ".";
        INDArray h = layerNorm(x, w.ln1w, w.ln1b);
        tap(tap, p + "attn.c_attn", h);
        INDArray attnOwner = attention(h, w, b, t, i);
        free(h);
        INDArray attn = attnOwner.reshape('c', (long) b * t, d);
        tap(tap, p + "attn.c_proj", attn);
        INDArray o = attn.mmul(w.attnProj).addiRowVector(w.attnProjBias);
        free(attnOwner);
        x.addi(o);
        free(o);

        h = layerNorm(x, w.ln2w, w.ln2b);
        tap(tap, p + "mlp.c_fc", h);
        INDArray f = h.mmul(w.fc).addiRowVector(w.fcBias);
        free(h);
        gelu(f);
        tap(tap, p + "mlp.c_proj", f);
        INDArray m = f.mmul(w.mlpProj).addiRowVector(w.mlpProjBias);
        free(f);
        x.addi(m);
        free(m);
        if (!cacheAll) {
            w.close();
        }
        return residual;
    }

    private static void tap(BlockTap tap, String linear, INDArray input) {
        if (tap != null) {
            tap.input(linear, input);
        }
    }

    /** Final ln_f and LM head: logits [B, T, vocab]. */
    @Override
    public INDArray head(INDArray hidden) {
        long[] shape = checkHidden(hidden);
        int d = config.hiddenSize();
        INDArray x = hidden.reshape('c', shape[0] * shape[1], d);
        INDArray lnw = cached("ln_f.weight", () -> load("ln_f.weight", d));
        INDArray lnb = cached("ln_f.bias", () -> load("ln_f.bias", d));
        INDArray h = layerNorm(x, lnw, lnb);
        release("ln_f.weight", lnw);
        release("ln_f.bias", lnb);
        boolean tied = !weights.has("lm_head.weight");
        INDArray lm = tied ? embedding()
                : cached("lm_head.weight", () -> weights.load("lm_head.weight", config.vocabSize(), d));
        INDArray logits = Nd4j.createUninitialized(DataType.FLOAT, shape[0], shape[1], config.vocabSize());
        Nd4j.gemm(h, lm, logits.reshape('c', shape[0] * shape[1], config.vocabSize()), false, true, 1.0, 0.0);
        free(h);
        release(tied ? "wte" : "lm_head.weight", lm);
        return logits;
    }

    /** Causal multi-head attention; h [B·T, D] → a new context [B, T, heads, hd] (before c_proj). */
    private INDArray attention(INDArray h, BlockWeights w, int b, int t, int layer) {
        int heads = config.numHeads();
        int hd = config.headDim();
        int d = config.hiddenSize();
        INDArray qkv = h.mmul(w.attn).addiRowVector(w.attnBias);
        INDArray q = splitHeads(qkv, 0, d, b, t);
        INDArray k = splitHeads(qkv, d, 2L * d, b, t);
        INDArray v = splitHeads(qkv, 2L * d, 3L * d, b, t);
        free(qkv);
        INDArray scores = Nd4j.matmul(heads3(q, b, t), heads3(k, b, t), false, true, false);
        free(q);
        free(k);
        double scale = 1;
        if (config.scaleAttnWeights()) {
            scale /= Math.sqrt(hd);
        }
        if (config.scaleByLayerIndex()) {
            scale /= layer + 1;
        }
        if (scale != 1) {
            scores.muli((float) scale);
        }
        scores.addi(mask(t));
        Nd4j.exec(new SoftMax(scores, scores, 2));
        INDArray ctx = Nd4j.matmul(scores, heads3(v, b, t));
        free(scores);
        free(v);
        INDArray out = ctx.reshape('c', b, heads, t, hd).permute(0, 2, 1, 3).dup('c');
        free(ctx);
        return out;
    }

    /** [B, heads, T, hd] viewed as [B·heads, T, hd] (the owner stays the 4-D array, which is freed). */
    private INDArray heads3(INDArray x, int b, int t) {
        return x.reshape('c', (long) b * config.numHeads(), t, config.headDim());
    }

    /** Columns [from, to) of qkv [B·T, 3D] as a new [B, heads, T, hd]. */
    private INDArray splitHeads(INDArray qkv, long from, long to, int b, int t) {
        int heads = config.numHeads();
        int hd = config.headDim();
        INDArray part = qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)).dup('c');
        INDArray out = part.reshape('c', b, t, heads, hd).permute(0, 2, 1, 3).dup('c');
        free(part);
        return out;
    }

    /** GELU in place: exact (erf) or the tanh approximation, as config.json's activation_function says. */
    private void gelu(INDArray x) {
        INDArray inner;
        if (config.exactGelu()) {
            // 0.5 · x · (1 + erf(x / √2))
            inner = x.mul((float) (1 / Math.sqrt(2)));
            Nd4j.exec(new Erf(inner, inner));
        } else {
            // 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))
            inner = x.mul(x).muli(x).muli(0.044715f).addi(x).muli((float) SQRT_2_OVER_PI);
            Transforms.tanh(inner, false);
        }
        inner.addi(1f).muli(0.5f);
        x.muli(inner);
        free(inner);
    }

    /** (x − mean) / √(var + eps) · w + b over the last dimension of x [N, D]; returns a new array. */
    private INDArray layerNorm(INDArray x, INDArray w, INDArray bias) {
        INDArray mean = x.mean(true, 1);
        INDArray centered = x.subColumnVector(mean);
        free(mean);
        INDArray sq = centered.mul(centered);
        INDArray inv = sq.mean(true, 1).addi(config.layerNormEps());
        free(sq);
        Transforms.pow(inv, -0.5, false);
        INDArray out = centered.muliColumnVector(inv).muliRowVector(w).addiRowVector(bias);
        free(inv);
        return out;
    }

    /** A tensor under the checkpoint's prefix, of exactly {@code shape}. */
    private INDArray load(String name, long... shape) {
        String full = prefix + name;
        if (!weights.has(full)) {
            throw new InvalidInputException(reference + ": tensor '" + full + "' is missing (expected in a GPT-2 "
                    + "checkpoint)");
        }
        return weights.load(full, shape);
    }

    private INDArray embedding() {
        return cached("wte", () -> load("wte.weight", config.vocabSize(), config.hiddenSize()));
    }

    private BlockWeights blockWeights(int i) {
        return cached("block." + i, () -> loadBlock(i));
    }

    private BlockWeights loadBlock(int i) {
        String p = "h." + i + ".";
        int d = config.hiddenSize();
        int inner = config.innerSize();
        return new BlockWeights(load(p + "ln_1.weight", d), load(p + "ln_1.bias", d),
                load(p + "attn.c_attn.weight", d, 3L * d), load(p + "attn.c_attn.bias", 3L * d),
                load(p + "attn.c_proj.weight", d, d), load(p + "attn.c_proj.bias", d),
                load(p + "ln_2.weight", d), load(p + "ln_2.bias", d),
                load(p + "mlp.c_fc.weight", d, inner), load(p + "mlp.c_fc.bias", inner),
                load(p + "mlp.c_proj.weight", inner, d), load(p + "mlp.c_proj.bias", d));
    }

    private record BlockWeights(INDArray ln1w, INDArray ln1b, INDArray attn, INDArray attnBias, INDArray attnProj,
                                INDArray attnProjBias, INDArray ln2w, INDArray ln2b, INDArray fc, INDArray fcBias,
                                INDArray mlpProj, INDArray mlpProjBias) implements Freeable {
        @Override
        public void close() {
            List.of(ln1w, ln1b, attn, attnBias, attnProj, attnProjBias, ln2w, ln2b, fc, fcBias, mlpProj, mlpProjBias)
                    .forEach(RunnerBase::free);
        }
    }
}
