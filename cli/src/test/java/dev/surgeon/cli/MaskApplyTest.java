package dev.surgeon.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.SafetensorsWriter;
import dev.surgeon.ops.exec.ElementReader;
import dev.surgeon.ops.mask.MaskFile;
import dev.surgeon.ops.mask.Masks;
import dev.surgeon.ops.mask.WeightMask;
import dev.surgeon.ops.runner.LlamaRunner;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code surgeon mask apply} on a seeded LLaMA (3 blocks, hidden 32, 4 query heads in 2 KV groups):
 * zero and remove give the same logits for heads and layers, a zeroed block is an identity, the
 * config after removal (uniform and ragged), weight masks, and every misfit refused with exit 3.
 */
class MaskApplyTest {
    private static final int[][] IDS = {{1, 5, 9, 13, 2, 7, 30, 11}, {3, 3, 8, 40, 22, 6, 1, 0}};

    @TempDir
    Path tmp;
    private Path model;

    @BeforeEach
    void setUp() {
        model = SynthModels.llama(tmp.resolve("m"), 3, 48);
    }

    private Path masks(String file, Map<Integer, boolean[]> heads, boolean[] layers, Map<String, WeightMask> weights) {
        Path p = tmp.resolve(file);
        MaskFile.write(p, false, new Masks(new TreeMap<>(weights), new TreeMap<>(heads), layers,
                Map.of("model", "m", "method", "test")));
        return p;
    }

    private CommandRun apply(Path masks, Path out, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("mask", "apply", model.toString(), masks.toString(),
                "-o", out.toString(), "--json"));
        a.addAll(List.of(more));
        return CommandRun.of(a.toArray(String[]::new));
    }

    private static float[] logits(Path dir) {
        try (Checkpoint c = Checkpoint.open(dir.toString()); LlamaRunner r = LlamaRunner.open(c)) {
            return r.logits(IDS).data().asFloat();
        }
    }

    private static JsonObject config(Path dir) throws IOException {
        return JsonParser.parseString(Files.readString(dir.resolve("config.json"))).getAsJsonObject();
    }

    private static void assertClose(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.length; i++) {
            assertThat((double) a[i]).as("logit " + i).isCloseTo(b[i], org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void headsZeroAndRemoveGiveTheSameLogitsAndAUniformConfig() throws IOException {
        Path m = masks("h.safetensors", Map.of(0, new boolean[] {false, false, true, true},
                1, new boolean[] {true, true, false, false}, 2, new boolean[] {false, false, true, true}), null, Map.of());
        Path zero = tmp.resolve("zero");
        Path removed = tmp.resolve("removed");
        CommandRun z = apply(m, zero);
        assertThat(z.code()).as(z.toString()).isZero();
        CommandRun r = apply(m, removed, "--mode", "remove");
        assertThat(r.code()).as(r.toString()).isZero();
        assertClose(logits(zero), logits(removed));
        assertThat(logits(zero)).isNotEqualTo(logits(model));
        JsonObject c = config(removed);
        assertThat(c.get("num_attention_heads").getAsInt()).isEqualTo(2);
        assertThat(c.get("num_key_value_heads").getAsInt()).isEqualTo(1);
        assertThat(c.get("head_dim").getAsInt()).isEqualTo(8);
        assertThat(config(zero).get("num_attention_heads").getAsInt()).isEqualTo(4);
        JsonObject rep = r.json();
        JsonObject b1 = rep.getAsJsonArray("blocks").get(1).getAsJsonObject();
        assertThat(b1.get("heads_kept").getAsInt()).isEqualTo(2);
        assertThat(b1.get("kv_heads_kept").getAsInt()).isEqualTo(1);
        assertThat(b1.getAsJsonArray("kv_groups_masked").get(0).getAsInt()).isEqualTo(1);
        JsonObject s = rep.getAsJsonObject("summary");
        // per block: q and o lose 2 heads × 8 × 32 each, k and v one KV head × 8 × 32 each
        assertThat(s.get("params_before").getAsLong() - s.get("params_after").getAsLong()).isEqualTo(3L * (2 * 512 + 2 * 256));
        try (Checkpoint c1 = Checkpoint.open(removed.toString())) {
            assertThat(c1.tensor("model.layers.1.self_attn.q_proj.weight").info().shape()).containsExactly(16, 32);
            assertThat(c1.tensor("model.layers.1.self_attn.k_proj.weight").info().shape()).containsExactly(8, 32);
            assertThat(c1.tensor("model.layers.1.self_attn.o_proj.weight").info().shape()).containsExactly(32, 16);
        }
    }

    @Test
    void layersZeroIsAnIdentityBlockAndRemoveRenumbers() throws IOException {
        Path m = masks("l.safetensors", Map.of(), new boolean[] {true, false, true}, Map.of());
        Path zero = tmp.resolve("zero");
        Path removed = tmp.resolve("removed");
        assertThat(apply(m, zero).code()).isZero();
        CommandRun r = apply(m, removed, "--mode", "remove");
        assertThat(r.code()).as(r.toString()).isZero();
        float[] skipped;
        try (Checkpoint c = Checkpoint.open(model.toString()); LlamaRunner run = LlamaRunner.open(c)) {
            INDArray h = run.embed(IDS);
            h = run.block(0, h);
            h = run.block(2, h);
            skipped = run.head(h).data().asFloat();
        }
        assertClose(logits(zero), skipped);
        assertClose(logits(removed), skipped);
        assertThat(config(removed).get("num_hidden_layers").getAsInt()).isEqualTo(2);
        assertThat(config(zero).get("num_hidden_layers").getAsInt()).isEqualTo(3);
        try (Checkpoint o = Checkpoint.open(removed.toString()); Checkpoint in = Checkpoint.open(model.toString())) {
            assertThat(o.names()).noneMatch(n -> n.startsWith("model.layers.2."));
            assertThat(ElementReader.readAll(o.tensor("model.layers.1.mlp.up_proj.weight")))
                    .containsExactly(ElementReader.readAll(in.tensor("model.layers.2.mlp.up_proj.weight")));
        }
        assertThat(r.json().getAsJsonArray("layers_removed").get(0).getAsInt()).isEqualTo(1);
    }

    @Test
    void raggedHeadsNeedAllowRaggedAndRecordPerLayerCounts() throws IOException {
        Path m = masks("r.safetensors", Map.of(1, new boolean[] {true, true, false, false}), null, Map.of());
        Path out = tmp.resolve("ragged");
        CommandRun refused = apply(m, out, "--mode", "remove");
        assertThat(refused.code()).as(refused.toString()).isEqualTo(2);
        assertThat(refused.err()).contains("--allow-ragged");
        assertThat(out).doesNotExist();
        CommandRun ok = apply(m, out, "--mode", "remove", "--allow-ragged");
        assertThat(ok.code()).as(ok.toString()).isZero();
        JsonObject c = config(out);
        assertThat(c.getAsJsonArray("num_attention_heads_per_layer").toString()).isEqualTo("[4,2,4]");
        assertThat(c.getAsJsonArray("num_key_value_heads_per_layer").toString()).isEqualTo("[2,1,2]");
        assertThat(c.get("head_dim").getAsInt()).isEqualTo(8);
    }

    @Test
    void layersAndRaggedHeadsTogetherDropTheRemovedBlocksEntries() throws IOException {
        Path m = masks("lr.safetensors", Map.of(2, new boolean[] {true, true, false, false}),
                new boolean[] {false, true, true}, Map.of());
        Path out = tmp.resolve("o");
        CommandRun ok = apply(m, out, "--mode", "remove", "--allow-ragged");
        assertThat(ok.code()).as(ok.toString()).isZero();
        JsonObject c = config(out);
        assertThat(c.get("num_hidden_layers").getAsInt()).isEqualTo(2);
        assertThat(c.getAsJsonArray("num_attention_heads_per_layer").toString()).isEqualTo("[4,2]");
    }

    @Test
    void weightMasksZeroTheirElementsInBothModes() {
        String name = "model.layers.0.mlp.up_proj.weight";
        byte[] keep = new byte[48 * 32];
        java.util.Arrays.fill(keep, (byte) 1);
        for (int i = 0; i < keep.length; i += 3) {
            keep[i] = 0;
        }
        Path m = masks("w.safetensors", Map.of(), null, Map.of(name, new WeightMask(new long[] {48, 32}, keep)));
        for (String mode : new String[] {"zero", "remove"}) {
            Path out = tmp.resolve("w-" + mode);
            CommandRun r = apply(m, out, "--mode", mode);
            assertThat(r.code()).as(r.toString()).isZero();
            assertThat(r.json().getAsJsonArray("tensors").get(0).getAsJsonObject().get("zeroed").getAsLong()).isEqualTo(512);
            try (Checkpoint o = Checkpoint.open(out.toString()); Checkpoint in = Checkpoint.open(model.toString())) {
                float[] w = ElementReader.readAll(o.tensor(name));
                float[] orig = ElementReader.readAll(in.tensor(name));
                for (int i = 0; i < w.length; i++) {
                    assertThat(w[i]).isEqualTo(keep[i] == 0 ? 0f : orig[i]);
                }
            }
            if (mode.equals("remove")) {
                assertThat(r.json().toString()).contains("applied as zeros");
            }
        }
    }

    // ---- misfits: exit 3 naming the entry, no output

    private void refused(Path masks, String entry, String... words) {
        Path out = tmp.resolve("bad-" + masks.getFileName());
        CommandRun r = apply(masks, out);
        assertThat(r.code()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains(entry);
        for (String w : words) {
            assertThat(r.err()).contains(w);
        }
        assertThat(out).doesNotExist();
    }

    @Test
    void everyMisfitIsRefused() {
        refused(masks("a.safetensors", Map.of(), null, Map.of("model.layers.9.mlp.up_proj.weight",
                new WeightMask(new long[] {2}, new byte[] {1, 0}))), "model.layers.9.mlp.up_proj.weight.mask", "does not have");
        refused(masks("b.safetensors", Map.of(), null, Map.of("model.layers.0.mlp.up_proj.weight",
                new WeightMask(new long[] {2}, new byte[] {1, 0}))), "model.layers.0.mlp.up_proj.weight.mask", "shape");
        refused(masks("c.safetensors", Map.of(5, new boolean[] {true, true, true, true}), null, Map.of()), "heads.5");
        refused(masks("d.safetensors", Map.of(0, new boolean[] {true, true, false}), null, Map.of()), "heads.0", "query heads");
        refused(masks("e.safetensors", Map.of(), new boolean[] {true, false}, Map.of()), "'layers'", "3 blocks");
        refused(masks("f.safetensors", Map.of(1, new boolean[] {true, false, true, true}), null, Map.of()), "heads.1",
                "KV group 0", "only whole groups");
        refused(masks("g.safetensors", Map.of(), new boolean[] {false, false, false}, Map.of()), "'layers'", "every block");
        refused(masks("h.safetensors", Map.of(2, new boolean[] {false, false, false, false}), null, Map.of()), "heads.2",
                "every head");
    }

    private Path raw(String file, String name, DType dt, long[] shape, byte[] bytes, Map<String, String> meta) throws IOException {
        Path p = tmp.resolve(file);
        SafetensorsWriter.write(p, meta, List.of(new PlannedTensor(name, dt, shape, sink -> sink.write(ByteBuffer.wrap(bytes)))));
        return p;
    }

    @Test
    void malformedMaskFilesAreRefused() throws IOException {
        Map<String, String> meta = Map.of("format", "surgeon-masks", "version", "1");
        refused(raw("v.safetensors", "layers", DType.U8, new long[] {3}, new byte[] {1, 2, 1}, meta), "'layers'", "0 or 1");
        refused(raw("t.safetensors", "layers", DType.I8, new long[] {3}, new byte[] {1, 1, 1}, meta), "'layers'", "U8 or BOOL");
        refused(raw("x.safetensors", "scores.0", DType.U8, new long[] {3}, new byte[] {1, 1, 1}, meta), "scores.0", "unexpected");
        refused(raw("n.safetensors", "layers", DType.U8, new long[] {3}, new byte[] {1, 1, 1}, Map.of("format", "pt")),
                "format", "surgeon-masks");
        // BOOL is read as well as U8
        Path ok = raw("ok.safetensors", "layers", DType.BOOL, new long[] {3}, new byte[] {1, 0, 1}, meta);
        assertThat(apply(ok, tmp.resolve("ok")).code()).isZero();
    }
}
