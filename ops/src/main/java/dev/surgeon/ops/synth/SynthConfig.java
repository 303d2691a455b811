package dev.surgeon.ops.synth;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.surgeon.io.safetensors.DType;

/** The config.json that transformers needs to load a synthetic model (LlamaConfig / GPT2Config fields). */
public final class SynthConfig {
    private SynthConfig() {
    }

    public static JsonObject of(SynthSpec s) {
        JsonObject c = new JsonObject();
        JsonArray archs = new JsonArray();
        archs.add(s.arch().hfClass);
        c.add("architectures", archs);
        c.addProperty("model_type", s.arch().modelType);
        if (s.arch() == SynthSpec.Arch.LLAMA) {
            c.addProperty("hidden_size", s.hidden());
            c.addProperty("intermediate_size", s.intermediate());
            c.addProperty("num_hidden_layers", s.layers());
            c.addProperty("num_attention_heads", s.heads());
            c.addProperty("num_key_value_heads", s.kvHeads());
            c.addProperty("head_dim", s.headDim());
            c.addProperty("vocab_size", s.vocab());
            c.addProperty("max_position_embeddings", s.positions());
            c.addProperty("hidden_act", "silu");
            c.addProperty("rms_norm_eps", 1e-5);
            c.addProperty("rope_theta", 10000.0);
            c.addProperty("attention_bias", false);
            c.addProperty("mlp_bias", false);
            c.addProperty("initializer_range", 0.02);
            c.addProperty("tie_word_embeddings", false);
        } else {
            c.addProperty("n_embd", s.hidden());
            c.addProperty("n_inner", s.intermediate());
            c.addProperty("n_layer", s.layers());
            c.addProperty("n_head", s.heads());
            c.addProperty("n_positions", s.positions());
            c.addProperty("vocab_size", s.vocab());
            c.addProperty("activation_function", "gelu_new");
            c.addProperty("layer_norm_epsilon", 1e-5);
            c.addProperty("initializer_range", 0.02);
            c.addProperty("tie_word_embeddings", true);
        }
        c.addProperty("torch_dtype", torchDtype(s.dtype()));
        return c;
    }

    /** Pretty-printed with a final newline, as transformers' save_pretrained writes it. */
    public static String json(SynthSpec s) {
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(of(s)) + "\n";
    }

    static String torchDtype(DType d) {
        switch (d) {
            case BF16: return "bfloat16";
            case F16: return "float16";
            default: return "float32";
        }
    }
}
