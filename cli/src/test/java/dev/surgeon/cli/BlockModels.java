package dev.surgeon.cli;

import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.SafetensorsWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ArrayList;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Tiny LLaMA-named models with any number of blocks, for the element-wise commands' tests: a
 * layout (name → shape) the test may edit before writing, values drawn from a seed, F32 or BF16
 * (BF16 values are truncated floats, so the test knows them exactly).
 */
final class BlockModels {
    static final int H = 4;
    static final int I = 6;
    static final int V = 8;

    private BlockModels() {
    }

    /** name → shape of an L-block model: embeddings, per block q/k/v/o, gate/up/down, two norms; final norm, lm_head. */
    static Map<String, long[]> layout(int blocks) {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("model.embed_tokens.weight", new long[] {V, H});
        for (int b = 0; b < blocks; b++) {
            String p = "model.layers." + b + ".";
            for (String x : new String[] {"q_proj", "k_proj", "v_proj", "o_proj"}) {
                m.put(p + "self_attn." + x + ".weight", new long[] {H, H});
            }
            m.put(p + "mlp.gate_proj.weight", new long[] {I, H});
            m.put(p + "mlp.up_proj.weight", new long[] {I, H});
            m.put(p + "mlp.down_proj.weight", new long[] {H, I});
            m.put(p + "input_layernorm.weight", new long[] {H});
            m.put(p + "post_attention_layernorm.weight", new long[] {H});
        }
        m.put("model.norm.weight", new long[] {H});
        m.put("lm_head.weight", new long[] {V, H});
        return m;
    }

    /** Writes {@code dir/model.safetensors} (every tensor F32) and a LLaMA config.json. */
    static Path write(Path dir, Map<String, long[]> layout, long seed) throws IOException {
        return write(dir, layout, n -> DType.F32, seed);
    }

    /** As above with a dtype per tensor name (F32, BF16 or I32). */
    static Path write(Path dir, Map<String, long[]> layout, Function<String, DType> dtypeOf, long seed) throws IOException {
        Files.createDirectories(dir);
        List<PlannedTensor> ts = new ArrayList<>();
        for (Map.Entry<String, long[]> e : layout.entrySet()) {
            long[] shape = e.getValue();
            int n = 1;
            for (long d : shape) {
                n *= (int) d;
            }
            ts.add(tensor(e.getKey(), dtypeOf.apply(e.getKey()), shape, values(n, seed * 1_000_003L + e.getKey().hashCode())));
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), Map.of("format", "pt"), ts);
        int blocks = 0;
        for (String n : layout.keySet()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^model\\.layers\\.(\\d+)\\.").matcher(n);
            if (m.find()) {
                blocks = Math.max(blocks, Integer.parseInt(m.group(1)) + 1);
            }
        }
        Files.writeString(dir.resolve("config.json"), "{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\","
                + "\"hidden_size\":" + H + ",\"intermediate_size\":" + I + ",\"num_hidden_layers\":" + blocks
                + ",\"num_attention_heads\":2,\"num_key_value_heads\":2,\"vocab_size\":" + V + ",\"torch_dtype\":\"float32\"}\n");
        return dir;
    }

    /** Random values, BF16-exact when truncated: the low 16 bits of each float are zero. */
    static float[] values(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            float f = (float) (r.nextGaussian() * 0.5);
            v[i] = Float.intBitsToFloat(Float.floatToRawIntBits(f) & 0xFFFF0000);
        }
        return v;
    }

    static PlannedTensor tensor(String name, DType dtype, long[] shape, float[] values) {
        int width = dtype == DType.BF16 ? 2 : 4;
        return new PlannedTensor(name, dtype, shape, sink -> {
            ByteBuffer b = ByteBuffer.allocate(values.length * width).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                if (dtype == DType.BF16) {
                    b.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
                } else if (dtype == DType.I32) {
                    b.putInt(Math.round(v * 100));
                } else {
                    b.putFloat(v);
                }
            }
            b.flip();
            sink.write(b);
        });
    }

    /** The block index a LLaMA name carries, or -1 outside blocks (parsed here, not by the layer map). */
    static int blockOf(String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^model\\.layers\\.(\\d+)\\.").matcher(name);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
