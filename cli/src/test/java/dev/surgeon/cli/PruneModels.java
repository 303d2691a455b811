package dev.surgeon.cli;

import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.safetensors.SafetensorsFile;
import dev.surgeon.io.safetensors.TensorInfo;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.SafetensorsWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Models for the prune tests (LLaMA of any width, GPT-2 with Conv1D weights) and readers of their tensors. */
final class PruneModels {
    private PruneModels() {
    }

    /** A LLaMA layout of {@code blocks} blocks, hidden {@code h}, MLP width {@code inter}, vocabulary 8. */
    static Map<String, long[]> llama(int blocks, int h, int inter) {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("model.embed_tokens.weight", new long[] {8, h});
        for (int b = 0; b < blocks; b++) {
            String p = "model.layers." + b + ".";
            for (String x : new String[] {"q_proj", "k_proj", "v_proj", "o_proj"}) {
                m.put(p + "self_attn." + x + ".weight", new long[] {h, h});
            }
            m.put(p + "mlp.gate_proj.weight", new long[] {inter, h});
            m.put(p + "mlp.up_proj.weight", new long[] {inter, h});
            m.put(p + "mlp.down_proj.weight", new long[] {h, inter});
            m.put(p + "input_layernorm.weight", new long[] {h});
            m.put(p + "post_attention_layernorm.weight", new long[] {h});
        }
        m.put("model.norm.weight", new long[] {h});
        m.put("lm_head.weight", new long[] {8, h});
        return m;
    }

    /** A two-block GPT-2 folder (Conv1D weights stored [in, out], biases, config.json with model_type gpt2). */
    static Path gpt2(Path dir, int h) throws IOException {
        Files.createDirectories(dir);
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("transformer.wte.weight", new long[] {8, h});
        m.put("transformer.wpe.weight", new long[] {16, h});
        for (int b = 0; b < 2; b++) {
            String p = "transformer.h." + b + ".";
            m.put(p + "ln_1.weight", new long[] {h});
            m.put(p + "ln_1.bias", new long[] {h});
            m.put(p + "attn.c_attn.weight", new long[] {h, 3L * h});
            m.put(p + "attn.c_attn.bias", new long[] {3L * h});
            m.put(p + "attn.c_proj.weight", new long[] {h, h});
            m.put(p + "attn.c_proj.bias", new long[] {h});
            m.put(p + "ln_2.weight", new long[] {h});
            m.put(p + "ln_2.bias", new long[] {h});
            m.put(p + "mlp.c_fc.weight", new long[] {h, 4L * h});
            m.put(p + "mlp.c_fc.bias", new long[] {4L * h});
            m.put(p + "mlp.c_proj.weight", new long[] {4L * h, h});
            m.put(p + "mlp.c_proj.bias", new long[] {h});
        }
        m.put("transformer.ln_f.weight", new long[] {h});
        m.put("transformer.ln_f.bias", new long[] {h});
        List<PlannedTensor> ts = new ArrayList<>();
        for (Map.Entry<String, long[]> e : m.entrySet()) {
            long[] s = e.getValue();
            int n = (int) (s.length == 1 ? s[0] : s[0] * s[1]);
            ts.add(BlockModels.tensor(e.getKey(), DType.F32, s, BlockModels.values(n, e.getKey().hashCode())));
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), Map.of("format", "pt"), ts);
        Files.writeString(dir.resolve("config.json"), "{\"architectures\":[\"GPT2LMHeadModel\"],\"model_type\":\"gpt2\","
                + "\"n_embd\":" + h + ",\"n_layer\":2,\"n_head\":2,\"n_positions\":16,\"vocab_size\":8}\n");
        return dir;
    }

    /** A tensor of a single-file model decoded to floats (any decodable dtype). */
    static float[] floats(Path file, String name) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            TensorInfo t = f.tensor(name);
            ByteBuffer b = f.readAll(t);
            float[] v = new float[(int) t.numel()];
            ElementCodec.decode(t.dtype(), b, v, 0, v.length);
            return v;
        }
    }

    /** A tensor's raw bytes. */
    static byte[] bytes(Path file, String name) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            ByteBuffer b = f.readAll(f.tensor(name));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }
    }

    static DType dtype(Path file, String name) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            return f.tensor(name).dtype();
        }
    }

    static List<String> names(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            return f.tensors().stream().map(TensorInfo::name).toList();
        }
    }

    static long[] shape(Path file, String name) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            return f.tensor(name).shape();
        }
    }

    static int zeros(float[] v) {
        int z = 0;
        for (float x : v) {
            z += x == 0f ? 1 : 0;
        }
        return z;
    }
}
