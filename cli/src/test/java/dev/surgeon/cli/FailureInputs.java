package dev.surgeon.cli;

import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Inputs for the failure-safety tests: a few MiB, big enough to outgrow a small disk or a file-size limit. */
final class FailureInputs {
    private FailureInputs() {
    }

    /**
     * A two-block LLaMA folder (hidden 128, MLP 512, F32, about 2.3 MiB) with config.json: input for
     * prune and convert.
     */
    static Path llama(Path dir) throws IOException {
        Files.createDirectories(dir);
        int h = 128;
        int inter = 512;
        int vocab = 256;
        List<PlannedTensor> ts = new ArrayList<>();
        ts.add(TestModels.f32("model.embed_tokens.weight", new long[] {vocab, h}, TestModels.random(vocab * h, 1)));
        for (int b = 0; b < 2; b++) {
            String p = "model.layers." + b + ".";
            for (String m : new String[] {"q_proj", "k_proj", "v_proj", "o_proj"}) {
                ts.add(TestModels.f32(p + "self_attn." + m + ".weight", new long[] {h, h}, TestModels.random(h * h, b * 10 + m.length())));
            }
            ts.add(TestModels.f32(p + "mlp.gate_proj.weight", new long[] {inter, h}, TestModels.random(inter * h, b + 100)));
            ts.add(TestModels.f32(p + "mlp.up_proj.weight", new long[] {inter, h}, TestModels.random(inter * h, b + 200)));
            ts.add(TestModels.f32(p + "mlp.down_proj.weight", new long[] {h, inter}, TestModels.random(inter * h, b + 300)));
            ts.add(TestModels.f32(p + "input_layernorm.weight", new long[] {h}, TestModels.ones(h)));
            ts.add(TestModels.f32(p + "post_attention_layernorm.weight", new long[] {h}, TestModels.ones(h)));
        }
        ts.add(TestModels.f32("model.norm.weight", new long[] {h}, TestModels.ones(h)));
        ts.add(TestModels.f32("lm_head.weight", new long[] {vocab, h}, TestModels.random(vocab * h, 999)));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), Map.of("format", "pt"), ts);
        Files.writeString(dir.resolve("config.json"), "{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\","
                + "\"hidden_size\":" + h + ",\"intermediate_size\":" + inter + ",\"num_hidden_layers\":2,"
                + "\"num_attention_heads\":4,\"num_key_value_heads\":4,\"vocab_size\":" + vocab + ","
                + "\"torch_dtype\":\"float32\",\"bos_token_id\":null}\n");
        return dir;
    }

    /**
     * One file of {@code small} tensors t00, t01, ... of 256 KiB each, then one tensor "z-big" of
     * {@code bigKiB} KiB: resharded at 256K, every small tensor gets a shard of its own and the big
     * one comes last, so a file-size limit between 257 KiB and the big size fails on the last shard.
     */
    static Path shardable(Path file, int small, int bigKiB) throws IOException {
        List<PlannedTensor> ts = new ArrayList<>();
        for (int i = 0; i < small; i++) {
            ts.add(TestModels.f32(String.format("t%02d", i), new long[] {64 * 1024}, TestModels.random(64 * 1024, i)));
        }
        int n = bigKiB * 256;
        ts.add(TestModels.f32("z-big", new long[] {n}, TestModels.random(n, 77)));
        Files.createDirectories(file.toAbsolutePath().getParent());
        SafetensorsWriter.write(file, Map.of("format", "pt"), ts);
        return file;
    }
}
