package dev.surgeon.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.surgeon.io.safetensors.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code surgeon scale} (LiNeS) on tiny synthetic models, checked against values computed here. */
class ScaleCommandTest {
    @TempDir
    Path tmp;

    /** Expected LiNeS output: θ_0 + λ·(θ_ft − θ_0), exact in double. */
    static double lines(double base, double ft, double lambda) {
        return base + lambda * (ft - base);
    }

    /** |a − e| within 1e-6 of the magnitudes involved (F32 math rounds at ~6e-8). */
    static void assertClose(String what, double actual, double expected, double... magnitudes) {
        double m = Math.abs(expected);
        for (double x : magnitudes) {
            m = Math.max(m, Math.abs(x));
        }
        assertThat(Math.abs(actual - expected)).as(what + ": " + actual + " vs " + expected).isLessThanOrEqualTo(1e-6 * m + 1e-30);
    }

    /** Runs scale, reads the output back and checks every tensor against λ(block) from {@code lambdaOf}. */
    private JsonObject runAndCheck(Path base, Path ft, Path out, java.util.function.IntToDoubleFunction lambdaOf, String... options)
            throws Exception {
        String[] args = new String[options.length + 6];
        args[0] = "scale";
        args[1] = base.toString();
        args[2] = ft.toString();
        System.arraycopy(options, 0, args, 3, options.length);
        args[options.length + 3] = "-o";
        args[options.length + 4] = out.toString();
        args[options.length + 5] = "--json";
        CommandRun run = CommandRun.of(args);
        assertThat(run.code()).as(run.toString()).isZero();
        Map<String, RawSafetensors.Tensor> b = RawSafetensors.read(base);
        Map<String, RawSafetensors.Tensor> f = RawSafetensors.read(ft);
        Map<String, RawSafetensors.Tensor> o = RawSafetensors.read(out);
        assertThat(o.keySet()).containsExactlyInAnyOrderElementsOf(b.keySet());
        for (String name : b.keySet()) {
            double lambda = lambdaOf.applyAsDouble(BlockModels.blockOf(name));
            double[] bv = b.get(name).values();
            double[] fv = f.get(name).values();
            double[] ov = o.get(name).values();
            assertThat(o.get(name).dtype()).isEqualTo(b.get(name).dtype());
            assertThat(o.get(name).shape()).isEqualTo(b.get(name).shape());
            for (int i = 0; i < bv.length; i++) {
                assertClose(name + "[" + i + "]", ov[i], lines(bv[i], fv[i], lambda), bv[i], fv[i]);
            }
        }
        return run.json();
    }

    @Test
    void methodsCheckTwelveBlocksAlphaOneEighthBetaHalf() throws Exception {
        Path base = BlockModels.write(tmp.resolve("base"), BlockModels.layout(12), 1);
        Path ft = BlockModels.write(tmp.resolve("ft"), BlockModels.layout(12), 2);
        // λ(ℓ) = 0.125 + 0.5·ℓ/11, written out rather than taken from Lines
        JsonObject r = runAndCheck(base, ft, tmp.resolve("out"), l -> l < 0 ? 0.125 : 0.125 + 0.5 * l / 11.0,
                "--alpha", "0.125", "--beta", "0.5");
        JsonArray blocks = r.getAsJsonArray("blocks");
        assertThat(blocks).hasSize(12);
        assertThat(blocks.get(0).getAsJsonObject().get("lambda").getAsDouble()).isEqualTo(0.125);
        assertThat(blocks.get(11).getAsJsonObject().get("lambda").getAsDouble()).isEqualTo(0.625);
        JsonObject params = r.getAsJsonObject("params");
        assertThat(params.get("alpha").getAsDouble()).isEqualTo(0.125);
        assertThat(params.get("beta").getAsDouble()).isEqualTo(0.5);
        assertThat(params.get("L").getAsInt()).isEqualTo(12);
        for (var e : r.getAsJsonArray("tensors")) {
            JsonObject t = e.getAsJsonObject();
            String name = t.get("name").getAsString();
            double scale = t.get("scale").getAsDouble();
            if (name.startsWith("model.layers.0.")) {
                assertThat(scale).isEqualTo(0.125);
            } else if (name.startsWith("model.layers.11.")) {
                assertThat(scale).isEqualTo(0.625);
            } else if (BlockModels.blockOf(name) < 0) {
                assertThat(scale).as(name).isEqualTo(0.125);
            }
            assertThat(t.get("dtype").getAsString()).isEqualTo("F32");
            assertThat(t.has("shape")).isTrue();
        }
        // the output of block 0 moved 1/8 of the way, block 11 5/8, the embeddings 1/8: spot-check one element each
        double b0 = RawSafetensors.read(base).get("model.layers.11.mlp.up_proj.weight").values()[3];
        double f0 = RawSafetensors.read(ft).get("model.layers.11.mlp.up_proj.weight").values()[3];
        double o0 = RawSafetensors.read(tmp.resolve("out")).get("model.layers.11.mlp.up_proj.weight").values()[3];
        assertClose("block 11", (o0 - b0) / (f0 - b0), 0.625, 1);
        assertThat(tmp.resolve("out/config.json")).exists();
    }

    @Test
    void betaDefaultsToOneMinusAlphaSoTheLastBlockIsTheFineTune() throws Exception {
        Path base = BlockModels.write(tmp.resolve("base"), BlockModels.layout(3), 3);
        Path ft = BlockModels.write(tmp.resolve("ft"), BlockModels.layout(3), 4);
        JsonObject r = runAndCheck(base, ft, tmp.resolve("out"), l -> l < 0 ? 0.25 : 0.25 + 0.75 * l / 2.0, "--alpha", "0.25");
        assertThat(r.getAsJsonObject("params").get("beta").getAsDouble()).isEqualTo(0.75);
        Map<String, RawSafetensors.Tensor> f = RawSafetensors.read(ft);
        Map<String, RawSafetensors.Tensor> o = RawSafetensors.read(tmp.resolve("out"));
        // λ = 1 exactly in the last block: its bytes are the fine-tune's
        assertThat(o.get("model.layers.2.self_attn.q_proj.weight").bytes()).isEqualTo(f.get("model.layers.2.self_attn.q_proj.weight").bytes());
    }

    @Test
    void oneBlockGetsAlphaPlusBeta() throws Exception {
        Path base = BlockModels.write(tmp.resolve("base"), BlockModels.layout(1), 5);
        Path ft = BlockModels.write(tmp.resolve("ft"), BlockModels.layout(1), 6);
        JsonObject r = runAndCheck(base, ft, tmp.resolve("out"), l -> l < 0 ? 0.3 : 0.3 + 0.2, "--alpha", "0.3", "--beta", "0.2");
        assertThat(r.getAsJsonArray("blocks").get(0).getAsJsonObject().get("lambda").getAsDouble()).isEqualTo(0.5);
    }

    @Test
    void alphaZeroBetaZeroReproducesTheBaseAndBf16StaysBf16() throws Exception {
        Map<String, long[]> layout = BlockModels.layout(2);
        Path base = BlockModels.write(tmp.resolve("base"), layout, n -> DType.BF16, 7);
        Path ft = BlockModels.write(tmp.resolve("ft"), layout, n -> DType.BF16, 8);
        assertThat(Main.run("scale", base.toString(), ft.toString(), "--alpha", "0", "--beta", "0", "-o", tmp.resolve("o").toString(), "-q")).isZero();
        Map<String, RawSafetensors.Tensor> b = RawSafetensors.read(base);
        Map<String, RawSafetensors.Tensor> o = RawSafetensors.read(tmp.resolve("o"));
        for (String n : b.keySet()) {
            assertThat(o.get(n).dtype()).isEqualTo("BF16");
            assertThat(o.get(n).bytes()).as(n).isEqualTo(b.get(n).bytes());
        }
    }

    @Test
    void bf16MathRoundsOnceToNearestEvenAndDtypeOptionCasts() throws Exception {
        Map<String, long[]> layout = BlockModels.layout(2);
        Path base = BlockModels.write(tmp.resolve("base"), layout, n -> DType.BF16, 9);
        Path ft = BlockModels.write(tmp.resolve("ft"), layout, n -> DType.BF16, 10);
        assertThat(Main.run("scale", base.toString(), ft.toString(), "--alpha", "0.5", "-o", tmp.resolve("bf").toString(), "-q")).isZero();
        assertThat(Main.run("scale", base.toString(), ft.toString(), "--alpha", "0.5", "--dtype", "f32", "-o", tmp.resolve("f32").toString(), "-q"))
                .isZero();
        Map<String, RawSafetensors.Tensor> b = RawSafetensors.read(base);
        Map<String, RawSafetensors.Tensor> f = RawSafetensors.read(ft);
        Map<String, RawSafetensors.Tensor> bf = RawSafetensors.read(tmp.resolve("bf"));
        Map<String, RawSafetensors.Tensor> f32 = RawSafetensors.read(tmp.resolve("f32"));
        for (String n : b.keySet()) {
            int block = BlockModels.blockOf(n);
            double lambda = block < 0 ? 0.5 : 0.5 + 0.5 * block;
            assertThat(bf.get(n).dtype()).isEqualTo("BF16");
            assertThat(f32.get(n).dtype()).isEqualTo("F32");
            double[] bv = b.get(n).values();
            double[] fv = f.get(n).values();
            for (int i = 0; i < bv.length; i++) {
                double e = lines(bv[i], fv[i], lambda);
                assertClose(n, f32.get(n).values()[i], e, bv[i], fv[i]);
                // BF16 keeps 8 significant bits: within half a BF16 ulp of the F32 result
                assertThat(Math.abs(bf.get(n).values()[i] - e)).as(n).isLessThanOrEqualTo(Math.abs(e) * 0x1p-8 + 1e-30);
            }
        }
        assertThat(Files.readString(tmp.resolve("f32/config.json"))).contains("\"torch_dtype\": \"float32\"");
    }

    @Test
    void integerTensorsAreCopiedFromTheBase() throws Exception {
        Map<String, long[]> layout = BlockModels.layout(2);
        layout.put("model.layers.0.self_attn.rotary_emb.positions", new long[] {4});
        java.util.function.Function<String, DType> dt = n -> n.endsWith("positions") ? DType.I32 : DType.F32;
        Path base = BlockModels.write(tmp.resolve("base"), layout, dt, 11);
        Path ft = BlockModels.write(tmp.resolve("ft"), layout, dt, 12);
        CommandRun run = CommandRun.of("scale", base.toString(), ft.toString(), "--alpha", "0.5", "-o", tmp.resolve("o").toString(), "--json");
        assertThat(run.code()).as(run.toString()).isZero();
        String n = "model.layers.0.self_attn.rotary_emb.positions";
        assertThat(RawSafetensors.read(tmp.resolve("o")).get(n).bytes()).isEqualTo(RawSafetensors.read(base).get(n).bytes());
        JsonObject entry = null;
        for (var e : run.json().getAsJsonArray("tensors")) {
            if (e.getAsJsonObject().get("name").getAsString().equals(n)) {
                entry = e.getAsJsonObject();
            }
        }
        assertThat(entry).isNotNull();
        assertThat(entry.get("copied").getAsBoolean()).isTrue();
        assertThat(entry.get("dtype").getAsString()).isEqualTo("I32");
    }

    @Test
    void defaultOutputNameRecipeAndDeterminism() throws Exception {
        Path base = BlockModels.write(tmp.resolve("m"), BlockModels.layout(2), 13);
        Path ft = BlockModels.write(tmp.resolve("ft"), BlockModels.layout(2), 14);
        assertThat(Main.run("scale", base.toString(), ft.toString(), "--alpha", "0.4", "-q")).isZero();
        assertThat(tmp.resolve("m-scaled/model.safetensors")).exists();
        assertThat(tmp.resolve("m-scaled/config.json")).exists();
        assertThat(RawSafetensors.metadata(tmp.resolve("m-scaled")).get("surgeon.recipe").getAsString())
                .contains("\"command\":\"scale\"").contains("\"alpha\":0.4").contains("\"beta\":0.6");
        assertThat(Main.run("scale", base.toString(), ft.toString(), "--alpha", "0.4", "-o", tmp.resolve("again").toString(), "-q")).isZero();
        assertThat(Files.readAllBytes(tmp.resolve("again/model.safetensors"))).isEqualTo(Files.readAllBytes(tmp.resolve("m-scaled/model.safetensors")));
        // an existing output needs --force
        assertThat(Main.run("scale", base.toString(), ft.toString(), "--alpha", "0.4", "-q")).isEqualTo(ExitCodes.IO_FAILURE);
    }

    @Test
    void usageErrors() throws Exception {
        Path base = BlockModels.write(tmp.resolve("base"), BlockModels.layout(2), 15);
        Path ft = BlockModels.write(tmp.resolve("ft"), BlockModels.layout(2), 16);
        String o = tmp.resolve("o").toString();
        CommandRun noAlpha = CommandRun.of("scale", base.toString(), ft.toString(), "-o", o);
        assertThat(noAlpha.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(noAlpha.err()).contains("--alpha is required").contains("0.1");
        assertThat(Main.run("scale", base.toString(), ft.toString(), "--alpha", "abc", "-o", o)).isEqualTo(ExitCodes.USAGE);
        assertThat(Main.run("scale", base.toString(), ft.toString(), "--alpha", "NaN", "-o", o)).isEqualTo(ExitCodes.USAGE);
        assertThat(Main.run("scale", base.toString(), ft.toString(), "--alpha", "0.5", "--beta", "Infinity", "-o", o)).isEqualTo(ExitCodes.USAGE);
        assertThat(Main.run("scale", base.toString(), ft.toString(), "--alpha", "0.5", "--dtype", "i8", "-o", o)).isEqualTo(ExitCodes.USAGE);
        assertThat(Main.run("scale", base.toString(), ft.toString(), "--alpha", "0.5", "--vocab", "mine", "-o", o)).isEqualTo(ExitCodes.USAGE);
        assertThat(Main.run("scale", base.toString(), "--alpha", "0.5", "-o", o)).isEqualTo(ExitCodes.USAGE);
        assertThat(Main.run("scale", base.toString(), ft.toString(), "--alpha", "0.5", "-o", base.toString(), "--force")).isEqualTo(ExitCodes.USAGE);
        assertThat(tmp.resolve("o")).doesNotExist();
    }
}
