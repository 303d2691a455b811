package dev.surgeon.ops.synth;

import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.safetensors.DType;

/**
 * The sizes of a synthetic model. Validated on construction, so a plan is never built from sizes
 * a real model of that architecture could not have.
 */
public record SynthSpec(Arch arch, int layers, int hidden, int intermediate, int heads, int kvHeads,
                        int vocab, int positions, DType dtype, long seed) {

    /** The architectures synth can lay out, with their Hugging Face names. */
    public enum Arch {
        LLAMA("LlamaForCausalLM", "llama"),
        GPT2("GPT2LMHeadModel", "gpt2");

        public final String hfClass;
        public final String modelType;

        Arch(String hfClass, String modelType) {
            this.hfClass = hfClass;
            this.modelType = modelType;
        }
    }

    public SynthSpec {
        positive("--layers", layers);
        positive("--hidden", hidden);
        positive("--intermediate", intermediate);
        positive("--heads", heads);
        positive("--kv-heads", kvHeads);
        positive("--vocab", vocab);
        positive("--max-positions", positions);
        if (hidden % heads != 0) {
            throw new UsageException("--hidden " + hidden + " must be divisible by --heads " + heads);
        }
        if (heads % kvHeads != 0) {
            throw new UsageException("--heads " + heads + " must be divisible by --kv-heads " + kvHeads);
        }
        if (arch == Arch.GPT2 && kvHeads != heads) {
            throw new UsageException("gpt2 has no grouped-query attention: --kv-heads must equal --heads");
        }
        if (dtype != DType.BF16 && dtype != DType.F16 && dtype != DType.F32) {
            throw new UsageException("--dtype must be bf16, f16 or f32, not " + dtype);
        }
    }

    public int headDim() {
        return hidden / heads;
    }

    private static void positive(String option, int v) {
        if (v <= 0) {
            throw new UsageException(option + " must be a positive number, not " + v);
        }
    }
}
