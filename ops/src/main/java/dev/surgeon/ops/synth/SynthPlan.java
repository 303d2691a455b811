package dev.surgeon.ops.synth;

import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.TensorOrder;

import java.util.ArrayList;
import java.util.List;

/**
 * The tensors of a synthetic model, with Hugging Face names and shapes, in the reference writer's
 * order. Initial values follow PyTorch: linear weights uniform in ±1/sqrt(fan_in), embeddings
 * uniform with std 0.02 (initializer_range), norm weights 1, biases 0.
 */
public final class SynthPlan {
    /** Half-width of a uniform distribution with std 0.02: 0.02 * sqrt(3). */
    static final float EMBED_BOUND = (float) (0.02 * Math.sqrt(3));

    private final SynthSpec spec;
    private final List<PlannedTensor> out = new ArrayList<>();

    private SynthPlan(SynthSpec spec) {
        this.spec = spec;
    }

    public static List<PlannedTensor> build(SynthSpec spec) {
        SynthPlan p = new SynthPlan(spec);
        if (spec.arch() == SynthSpec.Arch.LLAMA) {
            p.llama();
        } else {
            p.gpt2();
        }
        p.out.sort(TensorOrder.REFERENCE);
        return p.out;
    }

    /** Linear init bound for a layer that reads {@code fanIn} inputs. */
    public static float linearBound(long fanIn) {
        return (float) (1 / Math.sqrt(fanIn));
    }

    public static long params(List<PlannedTensor> plan) {
        return plan.stream().mapToLong(PlannedTensor::numel).sum();
    }

    private void llama() {
        long h = spec.hidden();
        long kv = (long) spec.kvHeads() * spec.headDim();
        long i = spec.intermediate();
        random("model.embed_tokens.weight", EMBED_BOUND, spec.vocab(), h);
        for (int l = 0; l < spec.layers(); l++) {
            String p = "model.layers." + l + ".";
            linear(p + "self_attn.q_proj.weight", h, h);
            linear(p + "self_attn.k_proj.weight", kv, h);
            linear(p + "self_attn.v_proj.weight", kv, h);
            linear(p + "self_attn.o_proj.weight", h, h);
            linear(p + "mlp.gate_proj.weight", i, h);
            linear(p + "mlp.up_proj.weight", i, h);
            linear(p + "mlp.down_proj.weight", h, i);
            constant(p + "input_layernorm.weight", 1f, h);
            constant(p + "post_attention_layernorm.weight", 1f, h);
        }
        constant("model.norm.weight", 1f, h);
        linear("lm_head.weight", spec.vocab(), h);
    }

    /** GPT-2 stores its Conv1D weights [in, out]; lm_head is tied to wte, so not written. */
    private void gpt2() {
        long h = spec.hidden();
        long i = spec.intermediate();
        random("transformer.wte.weight", EMBED_BOUND, spec.vocab(), h);
        random("transformer.wpe.weight", EMBED_BOUND, spec.positions(), h);
        for (int l = 0; l < spec.layers(); l++) {
            String p = "transformer.h." + l + ".";
            layerNorm(p + "ln_1", h);
            conv1d(p + "attn.c_attn", h, 3 * h);
            conv1d(p + "attn.c_proj", h, h);
            layerNorm(p + "ln_2", h);
            conv1d(p + "mlp.c_fc", h, i);
            conv1d(p + "mlp.c_proj", i, h);
        }
        layerNorm("transformer.ln_f", h);
    }

    /** A PyTorch Linear weight [out, in]. */
    private void linear(String name, long outDim, long inDim) {
        random(name, linearBound(inDim), outDim, inDim);
    }

    /** A GPT-2 Conv1D: weight [in, out] and bias [out]. */
    private void conv1d(String prefix, long inDim, long outDim) {
        random(prefix + ".weight", linearBound(inDim), inDim, outDim);
        constant(prefix + ".bias", 0f, outDim);
    }

    private void layerNorm(String prefix, long h) {
        constant(prefix + ".weight", 1f, h);
        constant(prefix + ".bias", 0f, h);
    }

    private void random(String name, float bound, long... shape) {
        DType d = spec.dtype();
        out.add(new PlannedTensor(name, d, shape, new RandomFill(name, d, numel(shape), bound, spec.seed())));
    }

    private void constant(String name, float value, long... shape) {
        DType d = spec.dtype();
        out.add(new PlannedTensor(name, d, shape, new ConstantFill(d, numel(shape), value)));
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n = Math.multiplyExact(n, s);
        }
        return n;
    }
}
