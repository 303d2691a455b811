package dev.surgeon.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.safetensors.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SynthCommandTest {
    @TempDir
    Path tmp;

    private static final String[] LLAMA = {"synth", "-q", "--arch", "llama", "--layers", "2", "--hidden", "64",
            "--intermediate", "96", "--heads", "4", "--kv-heads", "2", "--vocab", "128"};

    private static String[] with(String[] base, String... more) {
        String[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    private static JsonObject config(Path dir) throws IOException {
        return JsonParser.parseString(Files.readString(dir.resolve("config.json"))).getAsJsonObject();
    }

    private static float[] values(Checkpoint c, String name) {
        TensorRef t = c.tensor(name);
        ByteBuffer b = t.file().readAll(t.info());
        float[] v = new float[(int) t.info().numel()];
        ElementCodec.decode(t.info().dtype(), b, v, 0, v.length);
        return v;
    }

    private static float maxAbs(float[] v) {
        float m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    @Test
    void llamaHasHuggingFaceNamesShapesAndConfig() throws IOException {
        Path out = tmp.resolve("llama");
        assertThat(Main.run(with(LLAMA, "-o", out.toString()))).isEqualTo(0);

        Map<String, long[]> expected = new LinkedHashMap<>();
        expected.put("model.embed_tokens.weight", new long[] {128, 64});
        for (int l = 0; l < 2; l++) {
            String p = "model.layers." + l + ".";
            expected.put(p + "self_attn.q_proj.weight", new long[] {64, 64});
            expected.put(p + "self_attn.k_proj.weight", new long[] {32, 64});
            expected.put(p + "self_attn.v_proj.weight", new long[] {32, 64});
            expected.put(p + "self_attn.o_proj.weight", new long[] {64, 64});
            expected.put(p + "mlp.gate_proj.weight", new long[] {96, 64});
            expected.put(p + "mlp.up_proj.weight", new long[] {96, 64});
            expected.put(p + "mlp.down_proj.weight", new long[] {64, 96});
            expected.put(p + "input_layernorm.weight", new long[] {64});
            expected.put(p + "post_attention_layernorm.weight", new long[] {64});
        }
        expected.put("model.norm.weight", new long[] {64});
        expected.put("lm_head.weight", new long[] {128, 64});
        try (Checkpoint c = Checkpoint.open(out.toString())) {
            assertThat(c.names()).containsExactlyInAnyOrderElementsOf(expected.keySet());
            expected.forEach((name, shape) -> {
                assertThat(c.tensor(name).info().shape()).as(name).containsExactly(shape);
                assertThat(c.tensor(name).info().dtype()).as(name).isEqualTo(DType.BF16);
            });
            // One dtype, so the reference order is plain name order.
            List<String> sorted = new ArrayList<>(c.names());
            sorted.sort(null);
            assertThat(new ArrayList<>(c.names())).isEqualTo(sorted);
            assertThat(c.metadata()).containsEntry("format", "pt").containsKey("surgeon.recipe");
        }
        JsonObject cfg = config(out);
        assertThat(cfg.getAsJsonArray("architectures").get(0).getAsString()).isEqualTo("LlamaForCausalLM");
        assertThat(cfg.get("model_type").getAsString()).isEqualTo("llama");
        assertThat(cfg.get("hidden_size").getAsInt()).isEqualTo(64);
        assertThat(cfg.get("intermediate_size").getAsInt()).isEqualTo(96);
        assertThat(cfg.get("num_hidden_layers").getAsInt()).isEqualTo(2);
        assertThat(cfg.get("num_attention_heads").getAsInt()).isEqualTo(4);
        assertThat(cfg.get("num_key_value_heads").getAsInt()).isEqualTo(2);
        assertThat(cfg.get("head_dim").getAsInt()).isEqualTo(16);
        assertThat(cfg.get("vocab_size").getAsInt()).isEqualTo(128);
        assertThat(cfg.get("rms_norm_eps").getAsDouble()).isEqualTo(1e-5);
        assertThat(cfg.get("rope_theta").getAsDouble()).isEqualTo(10000.0);
        assertThat(cfg.has("max_position_embeddings")).isTrue();
        assertThat(cfg.get("tie_word_embeddings").getAsBoolean()).isFalse();
        assertThat(cfg.get("torch_dtype").getAsString()).isEqualTo("bfloat16");
    }

    @Test
    void gpt2HasConv1dShapesAndTiedHead() throws IOException {
        Path out = tmp.resolve("gpt2");
        assertThat(Main.run("synth", "-q", "--arch", "gpt2", "--layers", "3", "--hidden", "32", "--intermediate", "128",
                "--heads", "4", "--vocab", "100", "--max-positions", "64", "--dtype", "f16", "-o", out.toString())).isEqualTo(0);
        try (Checkpoint c = Checkpoint.open(out.toString())) {
            assertThat(c.names()).hasSize(2 + 3 * 12 + 2).doesNotContain("lm_head.weight");
            assertThat(c.tensor("transformer.wte.weight").info().shape()).containsExactly(100, 32);
            assertThat(c.tensor("transformer.wpe.weight").info().shape()).containsExactly(64, 32);
            assertThat(c.tensor("transformer.h.2.ln_1.bias").info().shape()).containsExactly(32);
            assertThat(c.tensor("transformer.h.2.attn.c_attn.weight").info().shape()).containsExactly(32, 96);
            assertThat(c.tensor("transformer.h.2.attn.c_attn.bias").info().shape()).containsExactly(96);
            assertThat(c.tensor("transformer.h.0.attn.c_proj.weight").info().shape()).containsExactly(32, 32);
            assertThat(c.tensor("transformer.h.0.mlp.c_fc.weight").info().shape()).containsExactly(32, 128);
            assertThat(c.tensor("transformer.h.0.mlp.c_fc.bias").info().shape()).containsExactly(128);
            assertThat(c.tensor("transformer.h.0.mlp.c_proj.weight").info().shape()).containsExactly(128, 32);
            assertThat(c.tensor("transformer.h.0.ln_2.weight").info().shape()).containsExactly(32);
            assertThat(c.tensor("transformer.ln_f.bias").info().shape()).containsExactly(32);
            assertThat(c.tensors().values()).allSatisfy(t -> assertThat(t.info().dtype()).isEqualTo(DType.F16));
            assertThat(values(c, "transformer.h.1.mlp.c_fc.bias")).containsOnly(0f);
            assertThat(values(c, "transformer.ln_f.weight")).containsOnly(1f);
            // Conv1D is [in, out]: fan_in is the first dimension.
            float bound = (float) (1 / Math.sqrt(128));
            assertThat(maxAbs(values(c, "transformer.h.0.mlp.c_proj.weight"))).isLessThanOrEqualTo(bound * (1 + 0x1p-10f));
        }
        JsonObject cfg = config(out);
        assertThat(cfg.getAsJsonArray("architectures").get(0).getAsString()).isEqualTo("GPT2LMHeadModel");
        assertThat(cfg.get("model_type").getAsString()).isEqualTo("gpt2");
        assertThat(cfg.get("n_embd").getAsInt()).isEqualTo(32);
        assertThat(cfg.get("n_layer").getAsInt()).isEqualTo(3);
        assertThat(cfg.get("n_head").getAsInt()).isEqualTo(4);
        assertThat(cfg.get("n_inner").getAsInt()).isEqualTo(128);
        assertThat(cfg.get("n_positions").getAsInt()).isEqualTo(64);
        assertThat(cfg.get("vocab_size").getAsInt()).isEqualTo(100);
        assertThat(cfg.get("layer_norm_epsilon").getAsDouble()).isEqualTo(1e-5);
        assertThat(cfg.get("torch_dtype").getAsString()).isEqualTo("float16");
    }

    @Test
    void valuesFollowPytorchInit() {
        Path out = tmp.resolve("f32");
        assertThat(Main.run(with(LLAMA, "--dtype", "f32", "-o", out.toString()))).isEqualTo(0);
        try (Checkpoint c = Checkpoint.open(out.toString())) {
            assertRange(values(c, "model.layers.0.self_attn.q_proj.weight"), (float) (1 / Math.sqrt(64)));
            assertRange(values(c, "model.layers.1.mlp.down_proj.weight"), (float) (1 / Math.sqrt(96)));
            assertRange(values(c, "lm_head.weight"), (float) (1 / Math.sqrt(64)));
            assertRange(values(c, "model.embed_tokens.weight"), (float) (0.02 * Math.sqrt(3)));
            assertThat(values(c, "model.layers.0.input_layernorm.weight")).containsOnly(1f);
            assertThat(values(c, "model.norm.weight")).containsOnly(1f);
        }
    }

    /** Inside ±bound, and spread over it (not all zero, not all one sign). */
    private static void assertRange(float[] v, float bound) {
        float max = Float.NEGATIVE_INFINITY;
        float min = Float.POSITIVE_INFINITY;
        double sum = 0;
        for (float x : v) {
            max = Math.max(max, x);
            min = Math.min(min, x);
            sum += x;
        }
        assertThat(maxAbs(v)).isLessThanOrEqualTo(bound);
        assertThat(max).isGreaterThan(0.9f * bound);
        assertThat(min).isLessThan(-0.9f * bound);
        assertThat(Math.abs(sum / v.length)).isLessThan(0.1 * bound);
    }

    @Test
    void sameSeedIsByteIdenticalAndAnotherSeedDiffers() throws IOException {
        // 20000 x 64 embedding rows span two generation chunks.
        String[] big = LLAMA.clone();
        big[Arrays.asList(big).indexOf("--vocab") + 1] = "20000";
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Path c = tmp.resolve("c");
        assertThat(Main.run(with(big, "--seed", "7", "-o", a.toString()))).isEqualTo(0);
        assertThat(Main.run(with(big, "--seed", "7", "-o", b.toString()))).isEqualTo(0);
        assertThat(Main.run(with(big, "--seed", "8", "-o", c.toString()))).isEqualTo(0);
        byte[] fa = Files.readAllBytes(a.resolve("model.safetensors"));
        assertThat(Files.readAllBytes(b.resolve("model.safetensors"))).isEqualTo(fa);
        assertThat(Files.readAllBytes(b.resolve("config.json"))).isEqualTo(Files.readAllBytes(a.resolve("config.json")));
        assertThat(Arrays.equals(Files.readAllBytes(c.resolve("model.safetensors")), fa)).isFalse();
        try (Checkpoint ca = Checkpoint.open(a.toString()); Checkpoint cc = Checkpoint.open(c.toString())) {
            String name = "model.layers.0.self_attn.q_proj.weight";
            assertThat(values(cc, name)).isNotEqualTo(values(ca, name));
            // The two chunks of the embedding are different streams, not a repeat.
            float[] e = values(ca, "model.embed_tokens.weight");
            assertThat(Arrays.copyOfRange(e, 1 << 20, (1 << 20) + 1000)).isNotEqualTo(Arrays.copyOfRange(e, 0, 1000));
        }
    }

    @Test
    void maxShardSizeWritesShardsAndIndex() throws IOException {
        Path out = tmp.resolve("sharded");
        Path single = tmp.resolve("single");
        assertThat(Main.run(with(LLAMA, "--max-shard-size", "40K", "-o", out.toString()))).isEqualTo(0);
        assertThat(Main.run(with(LLAMA, "-o", single.toString()))).isEqualTo(0);
        assertThat(out.resolve("model.safetensors.index.json")).exists();
        assertThat(out.resolve("config.json")).exists();
        try (var files = Files.list(out)) {
            assertThat(files.filter(p -> p.getFileName().toString().matches("model-\\d{5}-of-\\d{5}\\.safetensors")).count())
                    .isGreaterThan(1);
        }
        try (Checkpoint c = Checkpoint.open(out.toString()); Checkpoint s = Checkpoint.open(single.toString())) {
            assertThat(c.index()).isNotNull();
            assertThat(c.names()).containsExactlyInAnyOrderElementsOf(s.names());
            for (TensorInfo t : s.files().get(0).tensors()) {
                assertThat(values(c, t.name())).as(t.name()).isEqualTo(values(s, t.name()));
            }
        }
    }

    @Test
    void singleFileOutputHasNoConfig() {
        Path out = tmp.resolve("m.safetensors");
        assertThat(Main.run(with(LLAMA, "-o", out.toString()))).isEqualTo(0);
        assertThat(out).isRegularFile();
        assertThat(tmp.resolve("config.json")).doesNotExist();
        try (Checkpoint c = Checkpoint.open(out.toString())) {
            assertThat(c.names()).hasSize(2 + 2 * 9 + 1);
        }
    }

    /** LLAMA with one option's value replaced (picocli refuses an option given twice). */
    private static String[] override(String option, String value) {
        String[] a = LLAMA.clone();
        a[Arrays.asList(a).indexOf(option) + 1] = value;
        return a;
    }

    /** Runs in this JVM and returns what it printed on stderr, after checking the exit code. */
    private static String stderrOf(int expectedExit, String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.run(args)).isEqualTo(expectedExit);
        } finally {
            System.setErr(saved);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--hidden=66", "--kv-heads=3", "--layers=0", "--vocab=-5", "--intermediate=0",
            "--heads=0", "--arch=bert", "--heads=5"})
    void badSizesAreUsageErrors(String bad) {
        String option = bad.substring(0, bad.indexOf('='));
        Path out = tmp.resolve("bad");
        String err = stderrOf(ExitCodes.USAGE, with(override(option, bad.substring(bad.indexOf('=') + 1)), "-o", out.toString()));
        assertThat(err).contains(option.equals("--heads") && bad.endsWith("5") ? "--hidden" : option);
        assertThat(out).doesNotExist();
    }

    @Test
    void badDtypeIsUsageError() {
        String err = stderrOf(ExitCodes.USAGE, with(LLAMA, "--dtype", "i8", "-o", tmp.resolve("bad").toString()));
        assertThat(err).contains("--dtype");
    }

    @Test
    void gpt2RefusesGroupedQueryAttentionAndMissingOutputIsUsage() {
        assertThat(stderrOf(ExitCodes.USAGE, "synth", "--arch", "gpt2", "--kv-heads", "2", "-o", tmp.resolve("g").toString()))
                .contains("--kv-heads");
        assertThat(stderrOf(ExitCodes.USAGE, "synth")).contains("--output");
    }

    @Test
    void existingOutputNeedsForce() throws IOException {
        Path out = tmp.resolve("exists");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "x");
        assertThat(Main.run(with(LLAMA, "-o", out.toString()))).isEqualTo(ExitCodes.IO_FAILURE);
        assertThat(out.resolve("keep.txt")).exists();
        assertThat(Main.run(with(LLAMA, "--force", "-o", out.toString()))).isEqualTo(0);
        assertThat(out.resolve("keep.txt")).doesNotExist();
        assertThat(out.resolve("model.safetensors")).exists();
    }

    @Test
    void reportCountsParameters() throws IOException {
        Path report = tmp.resolve("r.json");
        assertThat(Main.run(with(LLAMA, "-o", tmp.resolve("m").toString(), "--report", report.toString()))).isEqualTo(0);
        JsonObject r = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
        assertThat(r.get("command").getAsString()).isEqualTo("synth");
        long perLayer = 64 * 64 * 2 + 32 * 64 * 2 + 3 * 96 * 64 + 2 * 64;
        assertThat(r.getAsJsonObject("summary").get("params_after").getAsLong()).isEqualTo(2 * 128 * 64 + 2 * perLayer + 64);
        // model.safetensors, config.json, the README.md card and SHA256SUMS
        assertThat(r.getAsJsonArray("outputs")).hasSize(4);
    }
}
