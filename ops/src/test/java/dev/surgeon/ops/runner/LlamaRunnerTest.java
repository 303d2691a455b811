package dev.surgeon.ops.runner;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.ops.inspect.StatsFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The runner on tiny synthetic models: block-by-block execution, tied heads, memory modes, config errors. */
class LlamaRunnerTest {
    private static final int D = 16;
    private static final int H = 4;
    private static final int KV = 2;
    private static final int HD = 4;
    private static final int I = 24;
    private static final int V = 40;
    private static final int L = 2;

    @TempDir
    Path tmp;

    /** A random tiny model; {@code lmHead}: write lm_head.weight (a copy of the embedding when {@code copyEmbed}). */
    private Path model(String name, boolean lmHead, boolean copyEmbed, boolean bias, boolean tied, DType dtype)
            throws Exception {
        Random rnd = new Random(7);
        List<PlannedTensor> ts = new ArrayList<>();
        double[] embed = random(rnd, V * D, 0.5);
        ts.add(StatsFiles.tensor("model.embed_tokens.weight", dtype, new long[] {V, D}, embed));
        for (int l = 0; l < L; l++) {
            String p = "model.layers." + l + ".";
            ts.add(StatsFiles.tensor(p + "input_layernorm.weight", dtype, new long[] {D}, norm(rnd)));
            ts.add(StatsFiles.tensor(p + "self_attn.q_proj.weight", dtype, new long[] {H * HD, D}, random(rnd, H * HD * D, 0.4)));
            ts.add(StatsFiles.tensor(p + "self_attn.k_proj.weight", dtype, new long[] {KV * HD, D}, random(rnd, KV * HD * D, 0.4)));
            ts.add(StatsFiles.tensor(p + "self_attn.v_proj.weight", dtype, new long[] {KV * HD, D}, random(rnd, KV * HD * D, 0.4)));
            if (bias) {
                ts.add(StatsFiles.tensor(p + "self_attn.q_proj.bias", dtype, new long[] {H * HD}, random(rnd, H * HD, 0.2)));
                ts.add(StatsFiles.tensor(p + "self_attn.k_proj.bias", dtype, new long[] {KV * HD}, random(rnd, KV * HD, 0.2)));
                ts.add(StatsFiles.tensor(p + "self_attn.v_proj.bias", dtype, new long[] {KV * HD}, random(rnd, KV * HD, 0.2)));
            }
            ts.add(StatsFiles.tensor(p + "self_attn.o_proj.weight", dtype, new long[] {D, H * HD}, random(rnd, D * H * HD, 0.3)));
            ts.add(StatsFiles.tensor(p + "post_attention_layernorm.weight", dtype, new long[] {D}, norm(rnd)));
            ts.add(StatsFiles.tensor(p + "mlp.gate_proj.weight", dtype, new long[] {I, D}, random(rnd, I * D, 0.4)));
            ts.add(StatsFiles.tensor(p + "mlp.up_proj.weight", dtype, new long[] {I, D}, random(rnd, I * D, 0.4)));
            ts.add(StatsFiles.tensor(p + "mlp.down_proj.weight", dtype, new long[] {D, I}, random(rnd, D * I, 0.3)));
        }
        ts.add(StatsFiles.tensor("model.norm.weight", dtype, new long[] {D}, norm(rnd)));
        if (lmHead) {
            ts.add(StatsFiles.tensor("lm_head.weight", dtype, new long[] {V, D}, copyEmbed ? embed : random(rnd, V * D, 0.5)));
        }
        Path dir = Files.createDirectories(tmp.resolve(name));
        StatsFiles.write(dir.resolve("model.safetensors"), ts.toArray(PlannedTensor[]::new));
        Files.writeString(dir.resolve("config.json"), config(tied, bias).toString());
        return dir;
    }

    private static JsonObject config(boolean tied, boolean bias) {
        return JsonParser.parseString("{\"model_type\":\"llama\",\"hidden_size\":" + D + ",\"intermediate_size\":" + I
                + ",\"num_hidden_layers\":" + L + ",\"num_attention_heads\":" + H + ",\"num_key_value_heads\":" + KV
                + ",\"rms_norm_eps\":1e-5,\"rope_theta\":10000.0,\"vocab_size\":" + V + ",\"tie_word_embeddings\":" + tied
                + ",\"attention_bias\":" + bias + ",\"max_position_embeddings\":64}").getAsJsonObject();
    }

    private static double[] random(Random rnd, int n, double scale) {
        return RandomWeights.gaussian(rnd, n, scale);
    }

    private static double[] norm(Random rnd) {
        return RandomWeights.norm(rnd, D);
    }

    private static int[][] ids() {
        return RandomWeights.ids(3, 3, 11, V);
    }

    private static float[] logits(Path model, long cacheBytes, int[][] ids) {
        try (Checkpoint c = Checkpoint.open(model.toString()); LlamaRunner r = LlamaRunner.open(c, cacheBytes)) {
            return r.logits(ids).data().asFloat();
        }
    }

    @Test
    void blockByBlockEqualsOneCall() throws Exception {
        Path m = model("m", true, false, true, false, DType.F32);
        int[][] ids = ids();
        try (Checkpoint c = Checkpoint.open(m.toString()); LlamaRunner r = LlamaRunner.open(c)) {
            INDArray all = r.logits(ids);
            assertThat(all.shape()).containsExactly(3, 11, V);
            INDArray x = r.embed(ids);
            assertThat(x.shape()).containsExactly(3, 11, D);
            for (int i = 0; i < L; i++) {
                INDArray in = x;
                INDArray before = x.dup();
                x = r.block(i, in);
                assertThat(in.equals(before)).as("block leaves its input unchanged").isTrue();
            }
            float[] stepwise = r.head(x).data().asFloat();
            assertThat(stepwise).containsExactly(all.data().asFloat());
            for (float f : stepwise) {
                assertThat(Float.isFinite(f)).isTrue();
            }
        }
    }

    @Test
    void cachedDecoderMatchesTheFullForwardPass() throws Exception {
        Path m = model("m", true, false, true, false, DType.F32);
        int[][] ids = ids();
        int b = ids.length;
        int t = ids[0].length;
        for (long cacheBytes : new long[] {0, Long.MAX_VALUE}) {
            float[] full = logits(m, cacheBytes, ids);
            try (Checkpoint c = Checkpoint.open(m.toString()); LlamaRunner r = LlamaRunner.open(c, cacheBytes);
                 Decoder d = r.decoder(b, t)) {
                for (int p = 0; p < t; p++) {
                    int[] tokens = new int[b];
                    for (int i = 0; i < b; i++) {
                        tokens[i] = ids[i][p];
                    }
                    float[] step = d.step(tokens);
                    assertThat(d.position()).isEqualTo(p + 1);
                    for (int i = 0; i < b; i++) {
                        for (int v = 0; v < V; v++) {
                            assertThat((double) step[i * V + v]).as("sequence %d position %d token %d", i, p, v)
                                    .isCloseTo(full[(i * t + p) * V + v], org.assertj.core.data.Offset.offset(1e-5));
                        }
                    }
                }
                assertThatThrownBy(() -> d.step(new int[b])).isInstanceOf(IllegalStateException.class);
            }
        }
    }

    @Test
    void causalAndBatchIndependent() throws Exception {
        Path m = model("m", true, false, false, false, DType.F32);
        int[][] ids = ids();
        float[] full = logits(m, Long.MAX_VALUE, ids);
        // the first row alone, cut after 5 tokens: its logits are the first 5 positions of the batch
        int[] prefix = java.util.Arrays.copyOf(ids[0], 5);
        float[] part = logits(m, Long.MAX_VALUE, new int[][] {prefix});
        for (int i = 0; i < part.length; i++) {
            assertThat((double) part[i]).isCloseTo(full[i], org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void oneBlockAtATimeEqualsAllCached() throws Exception {
        Path m = model("m", true, false, true, false, DType.BF16);
        int[][] ids = ids();
        assertThat(logits(m, 0, ids)).containsExactly(logits(m, Long.MAX_VALUE, ids));
    }

    @Test
    void tiedEmbeddingsServeAsHead() throws Exception {
        Path tied = model("tied", false, false, false, true, DType.F32);
        Path copy = model("copy", true, true, false, false, DType.F32);
        int[][] ids = ids();
        float[] a = logits(tied, Long.MAX_VALUE, ids);
        assertThat(a).containsExactly(logits(copy, Long.MAX_VALUE, ids));
        assertThat(logits(tied, 0, ids)).containsExactly(a);
    }

    @Test
    void missingHeadWithoutTyingIsInvalid() throws Exception {
        Path m = model("nohead", false, false, false, false, DType.F32);
        try (Checkpoint c = Checkpoint.open(m.toString())) {
            assertThatThrownBy(() -> LlamaRunner.open(c)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("lm_head.weight");
        }
    }

    @Test
    void missingConfigIsInvalid() throws Exception {
        Path m = model("noconfig", true, false, false, false, DType.F32);
        Files.delete(m.resolve("config.json"));
        try (Checkpoint c = Checkpoint.open(m.toString())) {
            assertThatThrownBy(() -> LlamaRunner.open(c)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("config.json");
        }
    }

    @Test
    void outOfVocabularyTokenIsInvalid() throws Exception {
        Path m = model("m", true, false, false, false, DType.F32);
        try (Checkpoint c = Checkpoint.open(m.toString()); LlamaRunner r = LlamaRunner.open(c)) {
            assertThatThrownBy(() -> r.embed(new int[][] {{1, V}})).isInstanceOf(InvalidInputException.class);
        }
    }

    @Test
    void ropeScalingFrequencies() {
        JsonObject c = config(false, false);
        double[] plain = LlamaConfig.parse(c, "t").inverseFrequencies();
        assertThat(plain).hasSize(HD / 2);
        assertThat(plain[0]).isEqualTo(1.0);
        assertThat(plain[1]).isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-9));
        c.add("rope_scaling", JsonParser.parseString("{\"type\":\"linear\",\"factor\":4.0}"));
        double[] linear = LlamaConfig.parse(c, "t").inverseFrequencies();
        assertThat(linear[1]).isEqualTo(plain[1] / 4);
        // llama3 (factor 8, low 1, high 4, original 8192): wavelength 2π/inv; high frequencies
        // (wavelen < 2048) unchanged, low (> 8192) divided by 8, the rest interpolated
        c.add("rope_scaling", JsonParser.parseString("{\"rope_type\":\"llama3\",\"factor\":8.0,\"low_freq_factor\":1.0,"
                + "\"high_freq_factor\":4.0,\"original_max_position_embeddings\":8192}"));
        c.addProperty("head_dim", 64);
        c.addProperty("rope_theta", 500000.0);
        LlamaConfig l3 = LlamaConfig.parse(c, "t");
        c.remove("rope_scaling");
        double[] base = LlamaConfig.parse(c, "t").inverseFrequencies();
        double[] scaled = l3.inverseFrequencies();
        boolean sawMedium = false;
        for (int i = 0; i < base.length; i++) {
            double wavelen = 2 * Math.PI / base[i];
            if (wavelen < 2048) {
                assertThat(scaled[i]).isEqualTo(base[i]);
            } else if (wavelen > 8192) {
                assertThat(scaled[i]).isEqualTo(base[i] / 8);
            } else {
                double s = (8192 / wavelen - 1) / 3;
                assertThat(scaled[i]).isCloseTo((1 - s) * base[i] / 8 + s * base[i], org.assertj.core.data.Offset.offset(1e-15));
                sawMedium = true;
            }
        }
        assertThat(sawMedium).isTrue();
        c.add("rope_scaling", JsonParser.parseString("{\"type\":\"yarn\",\"factor\":4.0}"));
        assertThatThrownBy(() -> LlamaConfig.parse(c, "t")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("yarn");
    }
}
