package dev.surgeon.ops.prune.comp;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.AtomicOutput;
import dev.surgeon.io.write.CheckpointWriter;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.ops.inspect.StatsFiles;
import dev.surgeon.ops.runner.RandomWeights;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded tiny LLaMA models for the structured-pruning tests, written as real checkpoint folders
 * (config.json beside the weights, optionally sharded), and a helper that writes a plan's output.
 */
final class CompLlama {
    static final int D = 16;
    static final int H = 4;
    static final int KV = 2;
    static final int HD = 4;
    static final int V = 40;

    /**
     * @param widths  MLP width of each block (unequal widths add {@code intermediate_sizes})
     * @param dtype   stored dtype of every tensor
     * @param mlpBias gate/up/down_proj biases and {@code mlp_bias: true}
     * @param tied    no lm_head; {@code tie_word_embeddings: true}
     */
    record Spec(int[] widths, DType dtype, boolean mlpBias, boolean tied, long maxShardBytes) {
        static Spec f32(int... widths) {
            return new Spec(widths, DType.F32, false, false, 0);
        }

        Spec withDtype(DType d) {
            return new Spec(widths, d, mlpBias, tied, maxShardBytes);
        }

        Spec withBias() {
            return new Spec(widths, dtype, true, tied, maxShardBytes);
        }

        Spec withTied() {
            return new Spec(widths, dtype, mlpBias, true, maxShardBytes);
        }

        Spec withShards(long bytes) {
            return new Spec(widths, dtype, mlpBias, tied, bytes);
        }
    }

    private CompLlama() {
    }

    /** Writes the model into the folder {@code dir} (must not exist) from {@code seed}. */
    static Path write(Path dir, Spec s, long seed) {
        Random rnd = new Random(seed);
        DType dt = s.dtype();
        List<PlannedTensor> ts = new ArrayList<>();
        ts.add(StatsFiles.tensor("model.embed_tokens.weight", dt, new long[] {V, D}, RandomWeights.gaussian(rnd, V * D, 0.5)));
        for (int l = 0; l < s.widths().length; l++) {
            int i = s.widths()[l];
            String p = "model.layers." + l + ".";
            ts.add(StatsFiles.tensor(p + "input_layernorm.weight", dt, new long[] {D}, RandomWeights.norm(rnd, D)));
            ts.add(StatsFiles.tensor(p + "self_attn.q_proj.weight", dt, new long[] {H * HD, D}, RandomWeights.gaussian(rnd, H * HD * D, 0.4)));
            ts.add(StatsFiles.tensor(p + "self_attn.k_proj.weight", dt, new long[] {KV * HD, D}, RandomWeights.gaussian(rnd, KV * HD * D, 0.4)));
            ts.add(StatsFiles.tensor(p + "self_attn.v_proj.weight", dt, new long[] {KV * HD, D}, RandomWeights.gaussian(rnd, KV * HD * D, 0.4)));
            ts.add(StatsFiles.tensor(p + "self_attn.o_proj.weight", dt, new long[] {D, H * HD}, RandomWeights.gaussian(rnd, D * H * HD, 0.3)));
            ts.add(StatsFiles.tensor(p + "post_attention_layernorm.weight", dt, new long[] {D}, RandomWeights.norm(rnd, D)));
            ts.add(StatsFiles.tensor(p + "mlp.gate_proj.weight", dt, new long[] {i, D}, RandomWeights.gaussian(rnd, i * D, 0.4)));
            ts.add(StatsFiles.tensor(p + "mlp.up_proj.weight", dt, new long[] {i, D}, RandomWeights.gaussian(rnd, i * D, 0.4)));
            ts.add(StatsFiles.tensor(p + "mlp.down_proj.weight", dt, new long[] {D, i}, RandomWeights.gaussian(rnd, D * i, 0.3)));
            if (s.mlpBias() && s.tied()) {
                // with a tied head the bias variant also has LLaMA's attention_bias o_proj bias
                ts.add(StatsFiles.tensor(p + "self_attn.o_proj.bias", dt, new long[] {D}, RandomWeights.gaussian(rnd, D, 0.1)));
            }
            if (s.mlpBias()) {
                ts.add(StatsFiles.tensor(p + "mlp.gate_proj.bias", dt, new long[] {i}, RandomWeights.gaussian(rnd, i, 0.1)));
                ts.add(StatsFiles.tensor(p + "mlp.up_proj.bias", dt, new long[] {i}, RandomWeights.gaussian(rnd, i, 0.1)));
                ts.add(StatsFiles.tensor(p + "mlp.down_proj.bias", dt, new long[] {D}, RandomWeights.gaussian(rnd, D, 0.1)));
            }
        }
        ts.add(StatsFiles.tensor("model.norm.weight", dt, new long[] {D}, RandomWeights.norm(rnd, D)));
        if (!s.tied()) {
            ts.add(StatsFiles.tensor("lm_head.weight", dt, new long[] {V, D}, RandomWeights.gaussian(rnd, V * D, 0.5)));
        }
        write(dir, ts, config(s), s.maxShardBytes());
        return dir;
    }

    static JsonObject config(Spec s) {
        JsonObject c = new JsonObject();
        c.addProperty("model_type", "llama");
        JsonArray arch = new JsonArray();
        arch.add("LlamaForCausalLM");
        c.add("architectures", arch);
        c.addProperty("hidden_size", D);
        int max = 0;
        boolean uniform = true;
        JsonArray sizes = new JsonArray();
        for (int w : s.widths()) {
            max = Math.max(max, w);
            uniform &= w == s.widths()[0];
            sizes.add(w);
        }
        c.addProperty("intermediate_size", max);
        if (!uniform) {
            c.add("intermediate_sizes", sizes);
        }
        c.addProperty("num_hidden_layers", s.widths().length);
        c.addProperty("num_attention_heads", H);
        c.addProperty("num_key_value_heads", KV);
        c.addProperty("hidden_act", "silu");
        c.addProperty("rms_norm_eps", 1e-5);
        c.addProperty("rope_theta", 10000.0);
        c.addProperty("vocab_size", V);
        c.addProperty("tie_word_embeddings", s.tied());
        c.addProperty("mlp_bias", s.mlpBias());
        c.addProperty("max_position_embeddings", 64);
        c.addProperty("torch_dtype", s.dtype() == DType.BF16 ? "bfloat16" : "float32");
        return c;
    }

    /** Writes tensors and a config.json into the folder {@code dir}, sharded when {@code maxShardBytes} > 0. */
    static void write(Path dir, List<PlannedTensor> tensors, JsonObject config, long maxShardBytes) {
        try (AtomicOutput out = AtomicOutput.begin(dir, false)) {
            CheckpointWriter.write(out, tensors, new CheckpointWriter.Options(Map.of("format", "pt"), maxShardBytes,
                    List.of(), config));
            out.commit();
        }
    }

    /** Builds the plan of {@code edit} on the model at {@code in} and writes it to the folder {@code out}. */
    static StructuredPlan prune(Path in, StructuredEdit edit, DType target, Path out, long maxShardBytes) {
        try (Checkpoint c = Checkpoint.open(in.toString())) {
            StructuredPlan plan = StructuredPlan.build(c, new LayerMap(c.names(), c.config()), edit, target);
            write(out, plan.tensors(), plan.config(), maxShardBytes);
            return plan;
        }
    }
}
