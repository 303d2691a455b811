package dev.surgeon.ops.runner;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.SharedFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link Gpt2Runner} against an independent plain-Java GPT-2 forward (double loops over weights
 * read straight from the safetensors bytes) on the real tiny GPT-2 fixtures, and runner selection.
 */
class Gpt2RunnerTest {
    private static final String LMHEAD = "fixtures/real/gpt2-tiny-random-lmhead";
    private static final String BASE = "fixtures/real/gpt2-dummy-basemodel";

    @TempDir
    Path tmp;

    private static Path real(String relative) {
        Path root = SharedFixtures.root();
        assumeTrue(root != null, "shared fixtures not found: set -Dsurgeon.shared=/path/to/shared or place the "
                + "folder at ../shared or ../../shared; skipping");
        Path p = root.resolve(relative);
        assumeTrue(Files.isDirectory(p), "shared fixture missing: " + p + "; skipping");
        return p;
    }

    private static int[][] randomIds(long seed, int b, int t, int vocab) {
        Random rnd = new Random(seed);
        int[][] ids = new int[b][t];
        for (int[] row : ids) {
            for (int j = 0; j < t; j++) {
                row[j] = rnd.nextInt(vocab);
            }
        }
        return ids;
    }

    @Test
    void matchesPlainJavaForwardOnLmHeadFixture() throws Exception {
        double[] r = compareWithReference(real(LMHEAD), new int[][][] {randomIds(11, 2, 9, 1000),
                randomIds(12, 1, 16, 1000), randomIds(13, 3, 1, 1000)});
        System.out.println("gpt2-tiny-random-lmhead: max |runner - reference| = " + r[0] + " (max |logit| " + r[1] + ")");
        assertThat(r[0]).isLessThanOrEqualTo(1e-4);
        assertThat(r[1]).as("logits are not trivially small").isGreaterThan(1e-3);
    }

    @Test
    void matchesPlainJavaForwardOnBaseModelFixture() throws Exception {
        // no prefix, n_inner 37, exact-erf GELU, tied head
        double[] r = compareWithReference(real(BASE), new int[][][] {randomIds(21, 2, 7, 1024)});
        System.out.println("gpt2-dummy-basemodel: max |runner - reference| = " + r[0] + " (max |logit| " + r[1] + ")");
        assertThat(r[0]).isLessThanOrEqualTo(1e-4);
        assertThat(r[1]).as("logits are not trivially small").isGreaterThan(1e-3);
    }

    /** {max abs difference, max abs reference logit}. */
    private static double[] compareWithReference(Path dir, int[][][] batches) throws IOException {
        Reference ref = new Reference(dir);
        double max = 0;
        double scale = 0;
        try (Checkpoint c = Checkpoint.open(dir.toString()); TransformerRunner r = Runners.open(c)) {
            assertThat(r).isInstanceOf(Gpt2Runner.class);
            for (int[][] ids : batches) {
                INDArray logits = r.logits(ids);
                int t = ids[0].length;
                assertThat(logits.shape()).containsExactly(ids.length, t, ref.vocab);
                float[] got = logits.data().asFloat();
                for (int i = 0; i < ids.length; i++) {
                    double[][] want = ref.logits(ids[i]);
                    for (int p = 0; p < t; p++) {
                        for (int v = 0; v < ref.vocab; v++) {
                            double g = got[(i * t + p) * ref.vocab + v];
                            assertThat(Double.isFinite(g)).isTrue();
                            max = Math.max(max, Math.abs(g - want[p][v]));
                            scale = Math.max(scale, Math.abs(want[p][v]));
                        }
                    }
                }
            }
        }
        return new double[] {max, scale};
    }

    @Test
    void blockByBlockEqualsLogits() throws Exception {
        Path dir = real(LMHEAD);
        int[][] ids = randomIds(5, 2, 10, 1000);
        try (Checkpoint c = Checkpoint.open(dir.toString()); Gpt2Runner r = Gpt2Runner.open(c)) {
            assertThat(r.blockCount()).isEqualTo(5);
            assertThat(r.vocabSize()).isEqualTo(1000);
            assertThat(r.maxPositions()).isEqualTo(512);
            INDArray all = r.logits(ids);
            INDArray x = r.embed(ids);
            assertThat(x.shape()).containsExactly(2, 10, 32);
            for (int i = 0; i < r.blockCount(); i++) {
                INDArray before = x.dup();
                INDArray next = r.block(i, x);
                assertThat(x.equals(before)).as("block leaves its input unchanged").isTrue();
                x = next;
            }
            assertThat(r.head(x).data().asFloat()).containsExactly(all.data().asFloat());
        }
        // one block at a time (nothing cached) gives the same logits
        try (Checkpoint c = Checkpoint.open(dir.toString()); Gpt2Runner all = Gpt2Runner.open(c);
             Gpt2Runner lean = Gpt2Runner.open(c, 0)) {
            assertThat(lean.logits(ids).data().asFloat()).containsExactly(all.logits(ids).data().asFloat());
        }
    }

    @Test
    void runnersPickArchitecture() throws Exception {
        try (Checkpoint c = Checkpoint.open(real(LMHEAD).toString()); TransformerRunner r = Runners.open(c)) {
            assertThat(r).isInstanceOf(Gpt2Runner.class);
        }
        Path testbed = SharedFixtures.testbed("base");
        try (Checkpoint c = Checkpoint.open(testbed.toString()); TransformerRunner r = Runners.open(c)) {
            assertThat(r).isInstanceOf(LlamaRunner.class);
        }
    }

    @Test
    void unknownModelTypeIsInvalid() throws Exception {
        Path src = real(BASE);
        Path dir = Files.createDirectories(tmp.resolve("bert"));
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        JsonObject cfg = JsonParser.parseString(Files.readString(src.resolve("config.json"))).getAsJsonObject();
        cfg.addProperty("model_type", "bert");
        Files.writeString(dir.resolve("config.json"), cfg.toString());
        try (Checkpoint c = Checkpoint.open(dir.toString())) {
            assertThatThrownBy(() -> Runners.open(c)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("no built-in runner for model_type bert")
                    .hasMessageContaining("gpt2");
        }
        // LlamaConfig refuses GPT-2 on its own
        assertThatThrownBy(() -> LlamaConfig.parse(cfg.deepCopy(), "t")).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void missingConfigIsInvalid() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("noconfig"));
        Files.copy(real(LMHEAD).resolve("model.safetensors"), dir.resolve("model.safetensors"));
        try (Checkpoint c = Checkpoint.open(dir.toString())) {
            assertThatThrownBy(() -> Gpt2Runner.open(c)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("config.json");
        }
    }

    @Test
    void configDefaults() {
        Gpt2Config c = Gpt2Config.parse(JsonParser.parseString("{\"model_type\":\"gpt2\",\"n_embd\":32,\"n_layer\":2,"
                + "\"n_head\":4,\"n_inner\":null,\"n_positions\":64,\"vocab_size\":50}").getAsJsonObject(), "t");
        assertThat(c.innerSize()).isEqualTo(128);
        assertThat(c.tieWordEmbeddings()).isTrue();
        assertThat(c.exactGelu()).isFalse();
        assertThat(c.headDim()).isEqualTo(8);
        assertThatThrownBy(() -> Gpt2Config.parse(JsonParser.parseString(
                "{\"activation_function\":\"relu\"}").getAsJsonObject(), "t"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("relu");
    }

    @Test
    void outOfRangeInputsAreInvalid() throws Exception {
        try (Checkpoint c = Checkpoint.open(real(LMHEAD).toString()); Gpt2Runner r = Gpt2Runner.open(c)) {
            assertThatThrownBy(() -> r.embed(new int[][] {{1, 1000}})).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> r.embed(new int[1][513])).isInstanceOf(InvalidInputException.class);
        }
    }

    /** A plain-Java GPT-2 forward in double, with weights read directly from the safetensors file. */
    private static final class Reference {
        final Map<String, double[]> w = new HashMap<>();
        final int d;
        final int layers;
        final int heads;
        final int inner;
        final int vocab;
        final double eps;
        final boolean exact;
        final String prefix;

        Reference(Path dir) throws IOException {
            JsonObject cfg = JsonParser.parseString(Files.readString(dir.resolve("config.json"))).getAsJsonObject();
            d = cfg.get("n_embd").getAsInt();
            layers = cfg.get("n_layer").getAsInt();
            heads = cfg.get("n_head").getAsInt();
            inner = cfg.get("n_inner").isJsonNull() ? 4 * d : cfg.get("n_inner").getAsInt();
            vocab = cfg.get("vocab_size").getAsInt();
            eps = cfg.get("layer_norm_epsilon").getAsDouble();
            exact = cfg.get("activation_function").getAsString().equals("gelu");
            byte[] bytes = Files.readAllBytes(dir.resolve("model.safetensors"));
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int n = (int) buf.getLong(0);
            JsonObject header = JsonParser.parseString(new String(bytes, 8, n, StandardCharsets.UTF_8)).getAsJsonObject();
            for (Entry<String, JsonElement> e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonObject t = e.getValue().getAsJsonObject();
                assertThat(t.get("dtype").getAsString()).isEqualTo("F32");
                long start = t.getAsJsonArray("data_offsets").get(0).getAsLong();
                long end = t.getAsJsonArray("data_offsets").get(1).getAsLong();
                double[] v = new double[(int) ((end - start) / 4)];
                for (int i = 0; i < v.length; i++) {
                    v[i] = buf.getFloat((int) (8 + n + start + 4L * i));
                }
                w.put(e.getKey(), v);
            }
            prefix = w.containsKey("transformer.wte.weight") ? "transformer." : "";
        }

        double[] get(String name) {
            double[] v = w.get(prefix + name);
            assertThat(v).as(prefix + name).isNotNull();
            return v;
        }

        /** Logits [T][V] of one sequence. */
        double[][] logits(int[] ids) {
            int t = ids.length;
            double[] wte = get("wte.weight");
            double[] wpe = get("wpe.weight");
            double[][] x = new double[t][d];
            for (int p = 0; p < t; p++) {
                for (int j = 0; j < d; j++) {
                    x[p][j] = wte[ids[p] * d + j] + wpe[p * d + j];
                }
            }
            int hd = d / heads;
            for (int l = 0; l < layers; l++) {
                String pre = "h." + l + ".";
                double[][] h = layerNorm(x, get(pre + "ln_1.weight"), get(pre + "ln_1.bias"));
                double[][] qkv = conv1d(h, get(pre + "attn.c_attn.weight"), get(pre + "attn.c_attn.bias"), d, 3 * d);
                double[][] ctx = new double[t][d];
                for (int hh = 0; hh < heads; hh++) {
                    for (int i = 0; i < t; i++) {
                        double[] s = new double[i + 1];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j <= i; j++) {
                            double dot = 0;
                            for (int k = 0; k < hd; k++) {
                                dot += qkv[i][hh * hd + k] * qkv[j][d + hh * hd + k];
                            }
                            s[j] = dot / Math.sqrt(hd);
                            max = Math.max(max, s[j]);
                        }
                        double sum = 0;
                        for (int j = 0; j <= i; j++) {
                            s[j] = Math.exp(s[j] - max);
                            sum += s[j];
                        }
                        for (int j = 0; j <= i; j++) {
                            for (int k = 0; k < hd; k++) {
                                ctx[i][hh * hd + k] += s[j] / sum * qkv[j][2 * d + hh * hd + k];
                            }
                        }
                    }
                }
                add(x, conv1d(ctx, get(pre + "attn.c_proj.weight"), get(pre + "attn.c_proj.bias"), d, d));
                h = layerNorm(x, get(pre + "ln_2.weight"), get(pre + "ln_2.bias"));
                double[][] f = conv1d(h, get(pre + "mlp.c_fc.weight"), get(pre + "mlp.c_fc.bias"), d, inner);
                for (double[] row : f) {
                    for (int j = 0; j < inner; j++) {
                        row[j] = gelu(row[j]);
                    }
                }
                add(x, conv1d(f, get(pre + "mlp.c_proj.weight"), get(pre + "mlp.c_proj.bias"), inner, d));
            }
            double[][] h = layerNorm(x, get("ln_f.weight"), get("ln_f.bias"));
            double[] head = w.containsKey("lm_head.weight") ? w.get("lm_head.weight") : wte;
            double[][] out = new double[t][vocab];
            for (int p = 0; p < t; p++) {
                for (int v = 0; v < vocab; v++) {
                    double s = 0;
                    for (int j = 0; j < d; j++) {
                        s += h[p][j] * head[v * d + j];
                    }
                    out[p][v] = s;
                }
            }
            return out;
        }

        double gelu(double x) {
            if (exact) {
                return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
            }
            return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
        }

        /** erf by its Maclaurin series (|x| small) or continued fraction tail; accurate to ~1e-12 here. */
        static double erf(double x) {
            double ax = Math.abs(x);
            if (ax > 6) {
                return Math.signum(x);
            }
            // series: erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1)); converges for all x, fine up to 6 in double
            // at moderate |x|; for |x| > 3 use 1 - erfc by the continued fraction
            if (ax <= 3) {
                double sum = 0;
                double term = ax;
                for (int n = 0; n < 200; n++) {
                    double add = term / (2 * n + 1);
                    sum += add;
                    if (Math.abs(add) < 1e-17) {
                        break;
                    }
                    term *= -ax * ax / (n + 1);
                }
                return Math.signum(x) * 2 / Math.sqrt(Math.PI) * sum;
            }
            // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
            double f = ax;
            for (int k = 60; k >= 1; k--) {
                f = ax + (k / 2.0) / f;
            }
            double erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
            return Math.signum(x) * (1 - erfc);
        }

        double[][] layerNorm(double[][] x, double[] g, double[] b) {
            double[][] out = new double[x.length][d];
            for (int p = 0; p < x.length; p++) {
                double mean = 0;
                for (double v : x[p]) {
                    mean += v;
                }
                mean /= d;
                double var = 0;
                for (double v : x[p]) {
                    var += (v - mean) * (v - mean);
                }
                var /= d;
                double inv = 1 / Math.sqrt(var + eps);
                for (int j = 0; j < d; j++) {
                    out[p][j] = (x[p][j] - mean) * inv * g[j] + b[j];
                }
            }
            return out;
        }

        /** x [T][in] · W [in, out] + b. */
        static double[][] conv1d(double[][] x, double[] wt, double[] b, int in, int out) {
            assertThat(wt).hasSize(in * out);
            double[][] y = new double[x.length][out];
            for (int p = 0; p < x.length; p++) {
                for (int o = 0; o < out; o++) {
                    double s = b[o];
                    for (int i = 0; i < in; i++) {
                        s += x[p][i] * wt[i * out + o];
                    }
                    y[p][o] = s;
                }
            }
            return y;
        }

        static void add(double[][] x, double[][] y) {
            for (int p = 0; p < x.length; p++) {
                for (int j = 0; j < x[p].length; j++) {
                    x[p][j] += y[p][j];
                }
            }
        }
    }
}
