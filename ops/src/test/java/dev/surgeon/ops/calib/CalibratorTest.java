package dev.surgeon.ops.calib;

import com.google.gson.JsonParser;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.ops.inspect.StatsFiles;
import dev.surgeon.ops.runner.LlamaRunner;
import dev.surgeon.ops.runner.RandomWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

/** Calibration statistics, self-sampling and the statistics file on a tiny synthetic LLaMA. */
class CalibratorTest {
    private static final int D = 16;
    private static final int H = 4;
    private static final int KV = 2;
    private static final int HD = 4;
    private static final int I = 24;
    private static final int V = 40;
    private static final int L = 3;
    private static final double EPS = 1e-5;

    @TempDir
    Path tmp;

    private double[] embed;
    private double[] norm0;

    /** A random tiny model; block {@code identity} (or −1 for none) gets zero o_proj and down_proj. */
    private Path model(String name, int identity) throws Exception {
        Random rnd = new Random(11);
        List<PlannedTensor> ts = new ArrayList<>();
        embed = random(rnd, V * D, 0.5);
        ts.add(StatsFiles.tensor("model.embed_tokens.weight", DType.F32, new long[] {V, D}, embed));
        for (int l = 0; l < L; l++) {
            String p = "model.layers." + l + ".";
            double scale = l == identity ? 0 : 1;
            double[] n = norm(rnd);
            if (l == 0) {
                norm0 = n;
            }
            ts.add(StatsFiles.tensor(p + "input_layernorm.weight", DType.F32, new long[] {D}, n));
            ts.add(StatsFiles.tensor(p + "self_attn.q_proj.weight", DType.F32, new long[] {H * HD, D}, random(rnd, H * HD * D, 0.4)));
            ts.add(StatsFiles.tensor(p + "self_attn.k_proj.weight", DType.F32, new long[] {KV * HD, D}, random(rnd, KV * HD * D, 0.4)));
            ts.add(StatsFiles.tensor(p + "self_attn.v_proj.weight", DType.F32, new long[] {KV * HD, D}, random(rnd, KV * HD * D, 0.4)));
            ts.add(StatsFiles.tensor(p + "self_attn.o_proj.weight", DType.F32, new long[] {D, H * HD},
                    random(rnd, D * H * HD, 0.3 * scale)));
            ts.add(StatsFiles.tensor(p + "post_attention_layernorm.weight", DType.F32, new long[] {D}, norm(rnd)));
            ts.add(StatsFiles.tensor(p + "mlp.gate_proj.weight", DType.F32, new long[] {I, D}, random(rnd, I * D, 0.4)));
            ts.add(StatsFiles.tensor(p + "mlp.up_proj.weight", DType.F32, new long[] {I, D}, random(rnd, I * D, 0.4)));
            ts.add(StatsFiles.tensor(p + "mlp.down_proj.weight", DType.F32, new long[] {D, I}, random(rnd, D * I, 0.3 * scale)));
        }
        ts.add(StatsFiles.tensor("model.norm.weight", DType.F32, new long[] {D}, norm(rnd)));
        Path dir = Files.createDirectories(tmp.resolve(name));
        StatsFiles.write(dir.resolve("model.safetensors"), ts.toArray(PlannedTensor[]::new));
        Files.writeString(dir.resolve("config.json"), JsonParser.parseString("{\"model_type\":\"llama\",\"hidden_size\":" + D
                + ",\"intermediate_size\":" + I + ",\"num_hidden_layers\":" + L + ",\"num_attention_heads\":" + H
                + ",\"num_key_value_heads\":" + KV + ",\"rms_norm_eps\":" + EPS + ",\"rope_theta\":10000.0,\"vocab_size\":" + V
                + ",\"tie_word_embeddings\":true,\"max_position_embeddings\":64}").toString());
        return dir;
    }

    private static double[] random(Random rnd, int n, double scale) {
        return RandomWeights.gaussian(rnd, n, scale);
    }

    private static double[] norm(Random rnd) {
        return RandomWeights.norm(rnd, D);
    }

    private static int[][] windows(int n, int t) {
        return RandomWeights.ids(5, n, t, V);
    }

    private static ActivationStats calibrate(Path model, int[][] windows, int batch, boolean gram) {
        try (Checkpoint c = Checkpoint.open(model.toString()); LlamaRunner r = LlamaRunner.open(c)) {
            return Calibrator.run(r, windows, batch, gram ? Calibrator.MLP_DOWN : null, Map.of("model", "m"), done -> { });
        }
    }

    @Test
    void sumsOfSquaresMatchTheTappedInputsAndAnIndependentNorm() throws Exception {
        Path m = model("m", -1);
        int[][] w = windows(5, 7);
        ActivationStats s = calibrate(m, w, 2, false);
        assertThat(s.linears()).hasSize(7 * L);
        // the tap API directly, one batch, sequential blocks
        Map<String, double[]> expected = new HashMap<>();
        try (Checkpoint c = Checkpoint.open(m.toString()); LlamaRunner r = LlamaRunner.open(c)) {
            INDArray h = r.embed(w);
            for (int i = 0; i < L; i++) {
                h = r.block(i, h, (name, x) -> {
                    double[] acc = expected.computeIfAbsent(name, k -> new double[(int) x.size(1)]);
                    float[] v = x.dup('c').data().asFloat();
                    for (int k = 0; k < v.length; k++) {
                        acc[k % acc.length] += (double) v[k] * v[k];
                    }
                });
            }
        }
        assertThat(expected.keySet()).isEqualTo(s.linears().keySet());
        expected.forEach((name, e) -> {
            ActivationStats.Linear l = s.linear(name);
            assertThat(l.tokens()).isEqualTo(5 * 7);
            for (int j = 0; j < e.length; j++) {
                // block 0's q/k/v input is exact; later F32 activations round differently in another batch shape
                double tol = name.startsWith("model.layers.0.self_attn.") && !name.endsWith("o_proj") ? 1e-9 : 1e-5;
                assertThat(l.sqSum()[j]).as(name + "[" + j + "]").isCloseTo(e[j], offset(tol * Math.max(1, e[j])));
            }
        });
        assertThat(s.linear("model.layers.1.mlp.down_proj").inFeatures()).isEqualTo(I);
        assertThat(s.linear("model.layers.1.self_attn.o_proj").inFeatures()).isEqualTo(H * HD);
        assertThat(s.linear("model.layers.1.self_attn.k_proj").sqSum()).isEqualTo(s.linear("model.layers.1.self_attn.q_proj").sqSum());

        // block 0's q_proj input computed here: RMSNorm of the embedding rows
        double[] q = new double[D];
        for (int[] row : w) {
            for (int id : row) {
                double ms = 0;
                for (int j = 0; j < D; j++) {
                    double x = (float) embed[id * D + j];
                    ms += x * x;
                }
                double inv = 1 / Math.sqrt(ms / D + EPS);
                for (int j = 0; j < D; j++) {
                    double y = (float) embed[id * D + j] * inv * (float) norm0[j];
                    q[j] += y * y;
                }
            }
        }
        double[] got = s.linear("model.layers.0.self_attn.q_proj").sqSum();
        for (int j = 0; j < D; j++) {
            assertThat(got[j]).isCloseTo(q[j], offset(1e-4 * q[j]));
        }
    }

    @Test
    void gramDiagonalIsTheSumOfSquares() throws Exception {
        Path m = model("m", -1);
        ActivationStats s = calibrate(m, windows(4, 9), 3, true);
        for (int l = 0; l < L; l++) {
            ActivationStats.Linear down = s.linear("model.layers." + l + ".mlp.down_proj");
            double[] g = down.gram();
            assertThat(g).hasSize(I * I);
            for (int a = 0; a < I; a++) {
                assertThat(g[a * I + a]).isCloseTo(down.sqSum()[a], offset(1e-9 * Math.max(1, down.sqSum()[a])));
                for (int b = 0; b < I; b++) {
                    assertThat(g[a * I + b]).isCloseTo(g[b * I + a], offset(1e-12));
                }
            }
            assertThat(s.linear("model.layers." + l + ".mlp.up_proj").gram()).isNull();
        }
        // batching does not change the sums
        ActivationStats one = calibrate(m, windows(4, 9), 4, true);
        double[] a = one.linear("model.layers.2.mlp.down_proj").gram();
        double[] b = s.linear("model.layers.2.mlp.down_proj").gram();
        for (int k = 0; k < a.length; k++) {
            // later blocks see F32 hidden states that other batch shapes round differently
            assertThat(a[k]).isCloseTo(b[k], offset(1e-4 * Math.max(1, Math.abs(a[k]))));
        }
    }

    @Test
    void cosineIsOneForAnIdentityBlock() throws Exception {
        ActivationStats s = calibrate(model("id", 1), windows(3, 6), 2, false);
        double[] cos = s.blockCosine();
        assertThat(cos).hasSize(L);
        for (double c : cos) {
            assertThat(c).isBetween(-1.0, 1.0);
        }
        assertThat(cos[1]).isCloseTo(1.0, offset(1e-9));
        assertThat(cos[0]).isLessThan(0.9999);
    }

    @Test
    void selfSamplingIsSeededAndBatchIndependent() throws Exception {
        Path m = model("m", -1);
        try (Checkpoint c = Checkpoint.open(m.toString()); LlamaRunner r = LlamaRunner.open(c)) {
            int[][] a = SelfSampler.sample(r, 5, 8, 42, 2, d -> { });
            int[][] b = SelfSampler.sample(r, 5, 8, 42, 5, d -> { });
            int[][] other = SelfSampler.sample(r, 5, 8, 43, 2, d -> { });
            assertThat(a).isDeepEqualTo(b);
            assertThat(a).isNotEqualTo(other);
            assertThat(a).hasDimensions(5, 8);
            for (int[] row : a) {
                for (int id : row) {
                    assertThat(id).isBetween(0, V - 1);
                }
            }
            ActivationStats s = Calibrator.run(r, a, 4, null, Map.of(), d -> { });
            assertThat(s.linear("model.layers.0.mlp.down_proj").tokens()).isEqualTo(40);
        }
    }

    @Test
    void fileRoundTripsAndIsDeterministic() throws Exception {
        Path m = model("m", -1);
        ActivationStats s = calibrate(m, windows(3, 5), 2, true);
        Path f1 = tmp.resolve("a.safetensors");
        Path f2 = tmp.resolve("b.safetensors");
        StatsFormat.write(f1, false, s);
        StatsFormat.write(f2, false, calibrate(m, windows(3, 5), 2, true));
        assertThat(Files.readAllBytes(f1)).isEqualTo(Files.readAllBytes(f2));
        ActivationStats r = StatsFormat.read(f1);
        assertThat(r.linears().keySet()).isEqualTo(s.linears().keySet());
        s.linears().forEach((name, l) -> {
            ActivationStats.Linear got = r.linear(name);
            assertThat(got.sqSum()).isEqualTo(l.sqSum());
            assertThat(got.tokens()).isEqualTo(15);
            assertThat(got.gram()).isEqualTo(l.gram());
        });
        assertThat(r.blockCosine()).isEqualTo(s.blockCosine());
        assertThat(r.metadata()).containsEntry("format", "surgeon-stats").containsEntry("version", "1")
                .containsEntry("model", "m");
        assertThat(r.linear("model.layers.0.self_attn.q_proj").norms()[0])
                .isCloseTo(Math.sqrt(s.linear("model.layers.0.self_attn.q_proj").sqSum()[0]), offset(1e-15));
        // a model file is not a statistics file
        assertThatThrownBy(() -> StatsFormat.read(m.resolve("model.safetensors")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("surgeon-stats");
    }

    @Test
    void missingTokenCountIsInvalid() throws Exception {
        Path f = tmp.resolve("bad.safetensors");
        dev.surgeon.io.write.SafetensorsWriter.write(f, Map.of("format", "surgeon-stats", "version", "1"), List.of(
                StatsFiles.tensor("blocks.cosine", DType.F64, new long[] {1}, 1.0),
                StatsFiles.tensor("x.input_sq_sum", DType.F64, new long[] {2}, 1.0, 2.0)));
        assertThatThrownBy(() -> StatsFormat.read(f)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("x.input_tokens");
    }
}
