package dev.surgeon.ops.prune.comp;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.ops.runner.LlamaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link StructuredPlan} written to real folders and read back: names, shapes, values, dtypes, config.json. */
class StructuredPlanTest {
    @TempDir
    Path tmp;

    private static final int W = 24;

    @Test
    void perBlockWidthsGoIntoIntermediateSizesAndBlocksAreRenumbered() throws Exception {
        Path in = CompLlama.write(tmp.resolve("in"), CompLlama.Spec.f32(W, W, W, W), 3);
        addLayerTypes(in, "full_attention", "sliding_attention", "full_attention", "sliding_attention");
        BlockNeurons b1 = Edits.scaled(W, 10, 4);
        StructuredEdit edit = Edits.edit(4, new int[] {0}, Map.of(1, b1, 3, BlockNeurons.of(Edits.pick(W, 20, 5))));
        Path out = tmp.resolve("out");
        StructuredPlan plan = CompLlama.prune(in, edit, null, out, 0);

        JsonObject c = readConfig(out);
        assertThat(c.get("num_hidden_layers").getAsInt()).isEqualTo(3);
        assertThat(c.get("intermediate_size").getAsInt()).isEqualTo(W);
        assertThat(ints(c.getAsJsonArray("intermediate_sizes"))).containsExactly(10, W, 20);
        assertThat(c.getAsJsonArray("layer_types").toString())
                .isEqualTo("[\"sliding_attention\",\"full_attention\",\"sliding_attention\"]");
        assertThat(c.get("rope_theta").getAsDouble()).isEqualTo(10000.0); // the rest kept
        assertThat(plan.config()).isEqualTo(c);
        assertThat(LlamaConfig.parse(c, "out").intermediateSize(0)).isEqualTo(10);

        try (Checkpoint i = Checkpoint.open(in.toString()); Checkpoint o = Checkpoint.open(out.toString())) {
            assertThat(o.names()).hasSize(i.names().size() - 9).noneMatch(n -> n.contains("layers.3."));
            // output block 0 is input block 1, cut and scaled
            String p = "model.layers.";
            assertThat(o.tensor(p + "0.mlp.gate_proj.weight").info().shape()).containsExactly(10, CompLlama.D);
            assertThat(Edits.read(o, p + "0.mlp.gate_proj.weight"))
                    .containsExactly(rows(Edits.read(i, p + "1.mlp.gate_proj.weight"), CompLlama.D, b1.kept()));
            assertThat(Edits.read(o, p + "0.mlp.down_proj.weight"))
                    .containsExactly(columns(Edits.read(i, p + "1.mlp.down_proj.weight"), W, b1, DType.F32));
            // an untouched block is renamed, byte for byte
            assertThat(bytes(o, p + "1.mlp.down_proj.weight")).isEqualTo(bytes(i, p + "2.mlp.down_proj.weight"));
            assertThat(bytes(o, p + "1.self_attn.q_proj.weight")).isEqualTo(bytes(i, p + "2.self_attn.q_proj.weight"));
            assertThat(bytes(o, "lm_head.weight")).isEqualTo(bytes(i, "lm_head.weight"));
            // input order kept, renamed
            List<String> expected = new ArrayList<>();
            for (String n : i.names()) {
                if (!n.startsWith(p + "0.")) {
                    expected.add(n.replaceFirst("layers\\.(\\d+)\\.", "layers.X."));
                }
            }
            List<String> actual = o.names().stream().map(n -> n.replaceFirst("layers\\.(\\d+)\\.", "layers.X.")).toList();
            assertThat(actual).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void uniformWidthsWriteNoListAndStockShapes() throws Exception {
        Path in = CompLlama.write(tmp.resolve("in"), CompLlama.Spec.f32(W, W, W).withTied(), 6);
        StructuredEdit edit = Edits.edit(3, new int[] {1},
                Map.of(0, Edits.scaled(W, 16, 7), 2, Edits.scaled(W, 16, 8)));
        Path out = tmp.resolve("out");
        CompLlama.prune(in, edit, null, out, 0);
        JsonObject c = readConfig(out);
        assertThat(c.has("intermediate_sizes")).isFalse();
        assertThat(c.get("intermediate_size").getAsInt()).isEqualTo(16);
        assertThat(c.get("num_hidden_layers").getAsInt()).isEqualTo(2);
        assertStockShapes(out, c);
    }

    @Test
    void widthsMadeEqualAgainRemoveAnInputList() throws Exception {
        // a model pruned before (widths 10, 24, 20): its list gives the input widths
        Path in = CompLlama.write(tmp.resolve("in"), CompLlama.Spec.f32(10, W, 20), 9);
        StructuredEdit edit = Edits.edit(3, new int[] {0},
                Map.of(1, Edits.scaled(W, 8, 10), 2, Edits.scaled(20, 8, 11)));
        Path out = tmp.resolve("out");
        CompLlama.prune(in, edit, null, out, 0);
        JsonObject c = readConfig(out);
        assertThat(c.has("intermediate_sizes")).isFalse();
        assertStockShapes(out, c);
    }

    @Test
    void pruningAPrunedModelAgainKeepsItsList() throws Exception {
        Path in = CompLlama.write(tmp.resolve("in"), CompLlama.Spec.f32(W, W, W, W), 12);
        Path once = tmp.resolve("once");
        CompLlama.prune(in, Edits.edit(4, new int[] {2}, Map.of(0, Edits.scaled(W, 10, 13), 3, Edits.scaled(W, 20, 14))),
                null, once, 0);
        assertThat(ints(readConfig(once).getAsJsonArray("intermediate_sizes"))).containsExactly(10, W, 20);
        Path twice = tmp.resolve("twice");
        BlockNeurons again = Edits.scaled(20, 5, 15);
        StructuredPlan p = CompLlama.prune(once, Edits.edit(3, new int[] {0}, Map.of(2, again)), null, twice, 0);
        assertThat(p.widths()).containsExactly(W, 5);
        assertThat(ints(readConfig(twice).getAsJsonArray("intermediate_sizes"))).containsExactly(W, 5);
        try (Checkpoint a = Checkpoint.open(once.toString()); Checkpoint b = Checkpoint.open(twice.toString())) {
            assertThat(Edits.read(b, "model.layers.1.mlp.down_proj.weight"))
                    .containsExactly(columns(Edits.read(a, "model.layers.2.mlp.down_proj.weight"), 20, again, DType.F32));
        }
    }

    @Test
    void bf16StaysBf16WithValuesRoundedOnceAndTargetCasts() throws Exception {
        Path in = CompLlama.write(tmp.resolve("in"), CompLlama.Spec.f32(W, W, W).withDtype(DType.BF16), 16);
        BlockNeurons n = Edits.scaled(W, 11, 17);
        StructuredEdit edit = Edits.edit(3, new int[] {0}, Map.of(2, n));
        Path out = tmp.resolve("out");
        CompLlama.prune(in, edit, null, out, 0);
        Path f32 = tmp.resolve("f32");
        CompLlama.prune(in, edit, DType.F32, f32, 0);
        try (Checkpoint i = Checkpoint.open(in.toString()); Checkpoint o = Checkpoint.open(out.toString());
             Checkpoint f = Checkpoint.open(f32.toString())) {
            assertThat(o.tensors().values()).allMatch(t -> t.info().dtype() == DType.BF16);
            float[] down = Edits.read(i, "model.layers.2.mlp.down_proj.weight");
            assertThat(Edits.read(o, "model.layers.1.mlp.down_proj.weight")).containsExactly(columns(down, W, n, DType.BF16));
            assertThat(Edits.read(o, "model.layers.1.mlp.up_proj.weight"))
                    .containsExactly(rows(Edits.read(i, "model.layers.2.mlp.up_proj.weight"), CompLlama.D, n.kept()));
            assertThat(bytes(o, "model.layers.0.self_attn.o_proj.weight")).isEqualTo(bytes(i, "model.layers.1.self_attn.o_proj.weight"));
            // --dtype F32: every tensor widened, the scaled column computed in F32 and not rounded to BF16
            assertThat(f.tensors().values()).allMatch(t -> t.info().dtype() == DType.F32);
            assertThat(Edits.read(f, "model.layers.1.mlp.down_proj.weight")).containsExactly(columns(down, W, n, DType.F32));
            assertThat(Edits.read(f, "model.embed_tokens.weight")).containsExactly(Edits.read(i, "model.embed_tokens.weight"));
        }
    }

    @Test
    void shardedInputGivesTheSameTensorsAsASingleFile() throws Exception {
        CompLlama.Spec spec = CompLlama.Spec.f32(W, W, W, W);
        Path single = CompLlama.write(tmp.resolve("single"), spec, 18);
        Path sharded = CompLlama.write(tmp.resolve("sharded"), spec.withShards(8 << 10), 18);
        StructuredEdit edit = Edits.edit(4, new int[] {1, 2}, Map.of(0, Edits.scaled(W, 9, 19), 3, Edits.scaled(W, 12, 20)));
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        CompLlama.prune(single, edit, null, a, 0);
        CompLlama.prune(sharded, edit, null, b, 8 << 10);
        try (Checkpoint in = Checkpoint.open(sharded.toString()); Checkpoint x = Checkpoint.open(a.toString());
             Checkpoint y = Checkpoint.open(b.toString())) {
            assertThat(in.files()).hasSizeGreaterThan(1);
            assertThat(y.files()).hasSizeGreaterThan(1);
            assertThat(y.names()).containsExactlyInAnyOrderElementsOf(x.names());
            for (String name : x.names()) {
                assertThat(bytes(y, name)).as(name).isEqualTo(bytes(x, name));
            }
            assertThat(x.tensor("model.layers.1.mlp.up_proj.weight").info().shape()).containsExactly(12, CompLlama.D);
        }
        assertThat(readConfig(b)).isEqualTo(readConfig(a));
    }

    @Test
    void mlpBiasesAreSlicedAndDownBiasKept() throws Exception {
        Path in = CompLlama.write(tmp.resolve("in"), CompLlama.Spec.f32(W, W).withBias(), 21);
        BlockNeurons n = Edits.scaled(W, 16, 22);
        BlockNeurons m = Edits.scaled(W, 16, 23);
        Path out = tmp.resolve("out");
        CompLlama.prune(in, Edits.edit(2, new int[0], Map.of(0, n, 1, m)), null, out, 0);
        try (Checkpoint i = Checkpoint.open(in.toString()); Checkpoint o = Checkpoint.open(out.toString())) {
            for (String proj : new String[] {"gate_proj", "up_proj"}) {
                String name = "model.layers.1.mlp." + proj + ".bias";
                assertThat(Edits.read(o, name)).containsExactly(rows(Edits.read(i, name), 1, m.kept()));
            }
            assertThat(bytes(o, "model.layers.1.mlp.down_proj.bias")).isEqualTo(bytes(i, "model.layers.1.mlp.down_proj.bias"));
        }
        JsonObject c = readConfig(out);
        assertThat(c.get("mlp_bias").getAsBoolean()).isTrue();
        assertStockShapes(out, c);
    }

    // ---- helpers

    /** Every tensor and shape of the output is what stock LlamaForCausalLM builds from its config. */
    private static void assertStockShapes(Path out, JsonObject config) {
        Map<String, long[]> stock = StockShapes.of(config);
        try (Checkpoint o = Checkpoint.open(out.toString())) {
            assertThat(o.names()).containsExactlyInAnyOrderElementsOf(stock.keySet());
            for (TensorRef t : o.tensors().values()) {
                assertThat(t.info().shape()).as(t.name()).containsExactly(stock.get(t.name()));
            }
        }
    }

    private static float[] rows(float[] m, int cols, int[] kept) {
        float[] out = new float[kept.length * cols];
        for (int r = 0; r < kept.length; r++) {
            System.arraycopy(m, kept[r] * cols, out, r * cols, cols);
        }
        return out;
    }

    /** Kept columns of [rows, width] {@code m} times their scales, rounded once to {@code dt}. */
    private static float[] columns(float[] m, int width, BlockNeurons n, DType dt) {
        int rows = m.length / width;
        int[] kept = n.kept();
        float[] out = new float[rows * kept.length];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < kept.length; j++) {
                out[r * kept.length + j] = m[r * width + kept[j]] * n.scale(j);
            }
        }
        ByteBuffer b = ByteBuffer.allocate(out.length * dt.byteWidth()).order(ByteOrder.LITTLE_ENDIAN);
        ElementCodec.encode(dt, out, 0, out.length, b);
        b.flip();
        ElementCodec.decode(dt, b, out, 0, out.length);
        return out;
    }

    private static byte[] bytes(Checkpoint c, String name) {
        TensorRef t = c.tensor(name);
        ByteBuffer b = ByteBuffer.allocate((int) t.info().byteSize());
        t.file().read(t.info(), 0, b);
        return b.array();
    }

    private static int[] ints(JsonArray a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).getAsInt();
        }
        return v;
    }

    static JsonObject readConfig(Path dir) throws Exception {
        return JsonParser.parseString(Files.readString(dir.resolve("config.json"))).getAsJsonObject();
    }

    private static void addLayerTypes(Path dir, String... types) throws Exception {
        JsonObject c = readConfig(dir);
        JsonArray a = new JsonArray();
        for (String t : types) {
            a.add(t);
        }
        c.add("layer_types", a);
        Files.writeString(dir.resolve("config.json"), c.toString());
    }
}
