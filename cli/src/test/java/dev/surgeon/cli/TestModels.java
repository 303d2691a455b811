package dev.surgeon.cli;

import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.SafetensorsWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Small safetensors files written for tests, with values the test chooses. */
final class TestModels {
    private TestModels() {
    }

    /** An F32 tensor whose values are given. */
    static PlannedTensor f32(String name, long[] shape, float[] values) {
        return new PlannedTensor(name, DType.F32, shape, sink -> {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                b.putFloat(v);
            }
            b.flip();
            sink.write(b);
        });
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * 0.05);
        }
        return v;
    }

    /** A two-block LLaMA-named F32 model in folder {@code dir} with a config.json. */
    static Path tinyLlama(Path dir, long seed) throws IOException {
        Files.createDirectories(dir);
        int h = 8;
        int inter = 12;
        List<PlannedTensor> ts = new ArrayList<>();
        ts.add(f32("model.embed_tokens.weight", new long[] {16, h}, random(16 * h, seed)));
        for (int b = 0; b < 2; b++) {
            String p = "model.layers." + b + ".";
            for (String m : new String[] {"q_proj", "k_proj", "v_proj", "o_proj"}) {
                ts.add(f32(p + "self_attn." + m + ".weight", new long[] {h, h}, random(h * h, seed + b * 10 + m.hashCode())));
            }
            ts.add(f32(p + "mlp.gate_proj.weight", new long[] {inter, h}, random(inter * h, seed + b + 100)));
            ts.add(f32(p + "mlp.up_proj.weight", new long[] {inter, h}, random(inter * h, seed + b + 200)));
            ts.add(f32(p + "mlp.down_proj.weight", new long[] {h, inter}, random(inter * h, seed + b + 300)));
            ts.add(f32(p + "input_layernorm.weight", new long[] {h}, ones(h)));
            ts.add(f32(p + "post_attention_layernorm.weight", new long[] {h}, ones(h)));
        }
        ts.add(f32("model.norm.weight", new long[] {h}, ones(h)));
        ts.add(f32("lm_head.weight", new long[] {16, h}, random(16 * h, seed + 999)));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), Map.of("format", "pt"), ts);
        Files.writeString(dir.resolve("config.json"), "{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\","
                + "\"hidden_size\":8,\"intermediate_size\":12,\"num_hidden_layers\":2,\"num_attention_heads\":2,"
                + "\"num_key_value_heads\":2,\"vocab_size\":16,\"torch_dtype\":\"float32\",\"bos_token_id\":null}\n");
        return dir;
    }

    static float[] ones(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        return v;
    }

    /** The data section of a safetensors file (everything after the header). */
    static byte[] dataSection(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return java.util.Arrays.copyOfRange(all, (int) (8 + n), all.length);
    }

    /** Lists every path under {@code dir}, to check nothing is left behind. */
    static List<String> listing(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    /** Independent F32 → BF16 (round to nearest even), written here rather than taken from the codec. */
    static short bf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
