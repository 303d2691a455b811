package dev.surgeon.cli;

import dev.surgeon.io.SharedFixtures;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * scale and average on the shared testbed (base and ft-code: a trained 6-block LLaMA and its
 * fine-tune, F32), every output tensor checked element by element against the formula computed
 * here from the file bytes, with the expected factor of each tensor derived by this test.
 */
class TestbedElementwiseTest {
    @TempDir
    Path tmp;

    private static Path testbed(String model) {
        Path root = SharedFixtures.root();
        assumeTrue(root != null, "shared fixtures not found (../shared): skipping the testbed checks");
        Path p = root.resolve("fixtures/testbed").resolve(model);
        assumeTrue(Files.isDirectory(p), "testbed model missing: " + p + "; skipping");
        return p;
    }

    /** Runs a command and checks out = a + f·(b − a) for every tensor, f from {@code factor} (NaN: bytes of a). */
    private JsonObject check(Path a, Path b, ToDoubleFunction<String> factor, String... command) throws Exception {
        Path out = tmp.resolve("out-" + System.nanoTime());
        String[] args = new String[command.length + 3];
        System.arraycopy(command, 0, args, 0, command.length);
        args[command.length] = "-o";
        args[command.length + 1] = out.toString();
        args[command.length + 2] = "--json";
        CommandRun run = CommandRun.of(args);
        assertThat(run.code()).as(run.toString()).isZero();
        Map<String, RawSafetensors.Tensor> x = RawSafetensors.read(a);
        Map<String, RawSafetensors.Tensor> y = RawSafetensors.read(b);
        Map<String, RawSafetensors.Tensor> z = RawSafetensors.read(out);
        assertThat(z.keySet()).containsExactlyInAnyOrderElementsOf(x.keySet()).hasSize(57);
        long checked = 0;
        for (String n : x.keySet()) {
            assertThat(z.get(n).dtype()).isEqualTo("F32");
            assertThat(z.get(n).shape()).isEqualTo(x.get(n).shape());
            double f = factor.applyAsDouble(n);
            if (Double.isNaN(f)) {
                assertThat(z.get(n).bytes()).as(n).isEqualTo(x.get(n).bytes());
                continue;
            }
            double[] xv = x.get(n).values();
            double[] yv = y.get(n).values();
            double[] zv = z.get(n).values();
            for (int i = 0; i < xv.length; i++) {
                ScaleCommandTest.assertClose(n + "[" + i + "]", zv[i], xv[i] + f * (yv[i] - xv[i]), xv[i], yv[i]);
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(1_000_000L);
        assertThat(Files.readString(out.resolve("config.json"))).isEqualTo(Files.readString(a.resolve("config.json")));
        return run.json();
    }

    @Test
    void linesOnTheTestbed() throws Exception {
        Path base = testbed("base");
        Path ft = testbed("ft-code");
        // L = 6 (num_hidden_layers 6): λ(ℓ) = α + β·ℓ/5, α outside blocks
        check(base, ft, n -> {
            int b = BlockModels.blockOf(n);
            return b < 0 ? 0.3 : 0.3 + 0.7 * b / 5.0;
        }, "scale", base.toString(), ft.toString(), "--alpha", "0.3");
        JsonObject r = check(base, ft, n -> {
            int b = BlockModels.blockOf(n);
            return b < 0 ? 0.1 : 0.1 + 0.5 * b / 5.0;
        }, "scale", base.toString(), ft.toString(), "--alpha", "0.1", "--beta", "0.5");
        assertThat(r.getAsJsonObject("params").get("L").getAsInt()).isEqualTo(6);
        assertThat(r.getAsJsonArray("blocks")).hasSize(6);
    }

    @Test
    void averagingOnTheTestbed() throws Exception {
        Path pre = testbed("base");
        Path post = testbed("ft-code");
        check(pre, post, n -> 0.8, "average", pre.toString(), post.toString());
        // 6 blocks are too few for the authors' pivots: 3 parts of 2 blocks
        double[] w = {0.9, 0.6, 0.3};
        check(pre, post, n -> {
            int b = BlockModels.blockOf(n);
            return b >= 0 ? w[b / 2] : n.startsWith("model.embed_tokens") ? w[0] : 0.5;
        }, "average", pre.toString(), post.toString(), "--weight", "0.5", "--ratios", "0.9,0.6,0.3");
        Path file = tmp.resolve("hma.json");
        Files.writeString(file, "{\"logits\": [-0.5, 0.25, 1.5], \"epsilon\": 0.2}");
        double[] r = AverageCommandTest.hmaPre(new double[] {-0.5, 0.25, 1.5}, 0.2, 0.2);
        check(pre, post, n -> {
            int b = BlockModels.blockOf(n);
            if (b >= 0 && n.endsWith("_proj.weight")) {
                return 1 - r[b / 2];
            }
            return n.equals("lm_head.weight") ? 0.8 : Double.NaN;
        }, "average", pre.toString(), post.toString(), "--ratios-file", file.toString());
    }
}
