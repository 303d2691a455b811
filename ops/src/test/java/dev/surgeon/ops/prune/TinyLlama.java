package dev.surgeon.ops.prune;

import com.google.gson.JsonParser;
import dev.surgeon.io.SharedFixtures;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.ops.inspect.StatsFiles;
import dev.surgeon.ops.runner.RandomWeights;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A seeded random LLaMA small enough for the pruning tests (hidden 16, 3 blocks, vocabulary 40). */
final class TinyLlama {
    static final int D = 16;
    static final int H = 4;
    static final int KV = 2;
    static final int HD = 4;
    static final int I = 24;
    static final int V = 40;
    static final int L = 3;

    private TinyLlama() {
    }

    /** Writes the model into {@code dir} (created) from {@code seed}. */
    static Path write(Path dir, long seed) throws Exception {
        Random rnd = new Random(seed);
        List<PlannedTensor> ts = new ArrayList<>();
        ts.add(f32("model.embed_tokens.weight", new long[] {V, D}, RandomWeights.gaussian(rnd, V * D, 0.5)));
        for (int l = 0; l < L; l++) {
            String p = "model.layers." + l + ".";
            ts.add(f32(p + "input_layernorm.weight", new long[] {D}, RandomWeights.norm(rnd, D)));
            ts.add(f32(p + "self_attn.q_proj.weight", new long[] {H * HD, D}, RandomWeights.gaussian(rnd, H * HD * D, 0.4)));
            ts.add(f32(p + "self_attn.k_proj.weight", new long[] {KV * HD, D}, RandomWeights.gaussian(rnd, KV * HD * D, 0.4)));
            ts.add(f32(p + "self_attn.v_proj.weight", new long[] {KV * HD, D}, RandomWeights.gaussian(rnd, KV * HD * D, 0.4)));
            ts.add(f32(p + "self_attn.o_proj.weight", new long[] {D, H * HD}, RandomWeights.gaussian(rnd, D * H * HD, 0.3)));
            ts.add(f32(p + "post_attention_layernorm.weight", new long[] {D}, RandomWeights.norm(rnd, D)));
            ts.add(f32(p + "mlp.gate_proj.weight", new long[] {I, D}, RandomWeights.gaussian(rnd, I * D, 0.4)));
            ts.add(f32(p + "mlp.up_proj.weight", new long[] {I, D}, RandomWeights.gaussian(rnd, I * D, 0.4)));
            ts.add(f32(p + "mlp.down_proj.weight", new long[] {D, I}, RandomWeights.gaussian(rnd, D * I, 0.3)));
        }
        ts.add(f32("model.norm.weight", new long[] {D}, RandomWeights.norm(rnd, D)));
        ts.add(f32("lm_head.weight", new long[] {V, D}, RandomWeights.gaussian(rnd, V * D, 0.5)));
        Files.createDirectories(dir);
        StatsFiles.write(dir.resolve("model.safetensors"), ts.toArray(PlannedTensor[]::new));
        Files.writeString(dir.resolve("config.json"), JsonParser.parseString("{\"model_type\":\"llama\",\"hidden_size\":" + D
                + ",\"intermediate_size\":" + I + ",\"num_hidden_layers\":" + L + ",\"num_attention_heads\":" + H
                + ",\"num_key_value_heads\":" + KV + ",\"rms_norm_eps\":1e-5,\"rope_theta\":10000.0,\"vocab_size\":" + V
                + ",\"tie_word_embeddings\":false,\"max_position_embeddings\":64}").toString());
        return dir;
    }

    /**
     * A shared fixture named {@code "testbed:NAME"} (the LLaMA testbed, weights stored [out, in]) or
     * {@code "real:NAME"} (e.g. GPT-2, Conv1D weights stored [in, out]), opened.
     */
    static Checkpoint openShared(String spec) {
        String[] where = spec.split(":", 2);
        Path dir = where[0].equals("testbed") ? SharedFixtures.testbed(where[1]) : SharedFixtures.real(where[1]);
        return Checkpoint.open(dir.toString());
    }

    /** The default prunable tensors of an opened model. */
    static List<PrunableTensor> targets(Checkpoint c) {
        return Prunables.select(c, new LayerMap(c.names(), c.config()), List.of(), List.of());
    }

    /** Seeded token windows below the vocabulary. */
    static int[][] windows(long seed, int n, int t) {
        return RandomWeights.ids(seed, n, t, V);
    }

    private static PlannedTensor f32(String name, long[] shape, double[] v) {
        return StatsFiles.tensor(name, DType.F32, shape, v);
    }
}
