package dev.surgeon.ops.prune.comp;

import com.google.gson.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensors, and their shapes, that stock Hugging Face {@code LlamaForCausalLM} creates from a
 * config.json (no {@code intermediate_sizes}: every block {@code intermediate_size} wide), to check
 * that a uniform output loads without surgeon.
 */
final class StockShapes {
    private StockShapes() {
    }

    static Map<String, long[]> of(JsonObject c) {
        long v = c.get("vocab_size").getAsLong();
        long d = c.get("hidden_size").getAsLong();
        long h = c.get("num_attention_heads").getAsLong();
        long kv = c.has("num_key_value_heads") ? c.get("num_key_value_heads").getAsLong() : h;
        long hd = c.has("head_dim") ? c.get("head_dim").getAsLong() : d / h;
        long i = c.get("intermediate_size").getAsLong();
        int layers = c.get("num_hidden_layers").getAsInt();
        boolean tied = c.has("tie_word_embeddings") && c.get("tie_word_embeddings").getAsBoolean();
        boolean attnBias = c.has("attention_bias") && c.get("attention_bias").getAsBoolean();
        boolean mlpBias = c.has("mlp_bias") && c.get("mlp_bias").getAsBoolean();
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put("model.embed_tokens.weight", new long[] {v, d});
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            s.put(p + "input_layernorm.weight", new long[] {d});
            s.put(p + "post_attention_layernorm.weight", new long[] {d});
            s.put(p + "self_attn.q_proj.weight", new long[] {h * hd, d});
            s.put(p + "self_attn.k_proj.weight", new long[] {kv * hd, d});
            s.put(p + "self_attn.v_proj.weight", new long[] {kv * hd, d});
            s.put(p + "self_attn.o_proj.weight", new long[] {d, h * hd});
            if (attnBias) {
                s.put(p + "self_attn.q_proj.bias", new long[] {h * hd});
                s.put(p + "self_attn.k_proj.bias", new long[] {kv * hd});
                s.put(p + "self_attn.v_proj.bias", new long[] {kv * hd});
                s.put(p + "self_attn.o_proj.bias", new long[] {d});
            }
            s.put(p + "mlp.gate_proj.weight", new long[] {i, d});
            s.put(p + "mlp.up_proj.weight", new long[] {i, d});
            s.put(p + "mlp.down_proj.weight", new long[] {d, i});
            if (mlpBias) {
                s.put(p + "mlp.gate_proj.bias", new long[] {i});
                s.put(p + "mlp.up_proj.bias", new long[] {i});
                s.put(p + "mlp.down_proj.bias", new long[] {d});
            }
        }
        s.put("model.norm.weight", new long[] {d});
        if (!tied) {
            s.put("lm_head.weight", new long[] {v, d});
        }
        return s;
    }
}
