package dev.surgeon.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.surgeon.io.SharedFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code surgeon prune --method wanda|ecoflap} wired end to end on the shared testbed (calibration, masks, write, report). */
class PruneCalibratedTest {
    @TempDir
    Path tmp;

    private static Path testbed(String relative) {
        Path root = SharedFixtures.root();
        assumeTrue(root != null, "shared fixtures not found (../shared): skipping the calibrated prune checks");
        Path p = root.resolve("fixtures/testbed").resolve(relative);
        assumeTrue(Files.exists(p), "testbed fixture missing: " + p + "; skipping");
        return p;
    }

    @Test
    void wandaPrunesEveryRowExactlyFromDataAndFromStats() {
        Path base = testbed("base");
        Path prose = testbed("eval/prose.bin");
        Path out = tmp.resolve("wanda.safetensors");
        CommandRun run = CommandRun.of("prune", base.toString(), "--method", "wanda", "--ratio", "0.5", "--data", prose.toString(),
                "--samples", "4", "--seq-len", "32", "-o", out.toString(), "--json");
        assertThat(run.code()).as(run.toString()).isZero();
        JsonObject r = run.json();
        assertThat(r.get("method").getAsString()).isEqualTo("wanda");
        assertThat(r.getAsJsonObject("params").get("group").getAsString()).isEqualTo("row");
        assertThat(r.get("data").getAsString()).isEqualTo(prose.toString());
        assertThat(r.getAsJsonObject("summary").get("sparsity").getAsDouble()).isEqualTo(0.5);
        for (JsonElement e : r.getAsJsonArray("tensors")) {
            JsonObject t = e.getAsJsonObject();
            String name = t.get("name").getAsString();
            int cols = t.getAsJsonArray("shape").get(1).getAsInt();
            float[] v = PruneModels.floats(out, name);
            for (int row = 0; row < v.length / cols; row++) {
                assertThat(PruneModels.zeros(java.util.Arrays.copyOfRange(v, row * cols, row * cols + cols)))
                        .as(name + " row " + row).isEqualTo(cols / 2);
            }
        }
        for (JsonElement b : r.getAsJsonArray("blocks")) {
            assertThat(b.getAsJsonObject().get("target_sparsity").getAsDouble()).isEqualTo(0.5);
        }

        // the same statistics through a file: calibrate, then prune --stats (one-shot)
        Path stats = tmp.resolve("base.stats.safetensors");
        assertThat(CommandRun.of("calibrate", base.toString(), "--data", prose.toString(), "--samples", "4", "--seq-len", "32",
                "-o", stats.toString(), "-q").code()).isZero();
        Path viaStats = tmp.resolve("stats.safetensors");
        Path oneShot = tmp.resolve("oneshot.safetensors");
        assertThat(CommandRun.of("prune", base.toString(), "--method", "wanda", "--ratio", "0.5", "--stats", stats.toString(),
                "-o", viaStats.toString(), "-q").code()).isZero();
        assertThat(CommandRun.of("prune", base.toString(), "--method", "wanda", "--ratio", "0.5", "--data", prose.toString(),
                "--samples", "4", "--seq-len", "32", "--one-shot", "-o", oneShot.toString(), "-q").code()).isZero();
        assertThat(PruneModels.floats(viaStats, "model.layers.3.mlp.down_proj.weight"))
                .containsExactly(PruneModels.floats(oneShot, "model.layers.3.mlp.down_proj.weight"));
    }

    @Test
    void wandaTwoFourFromSelfSamplesIsVerified() {
        Path out = tmp.resolve("w24");
        CommandRun run = CommandRun.of("prune", testbed("base").toString(), "--method", "wanda", "--nm", "2:4", "--calib", "self",
                "--samples", "2", "--seq-len", "8", "-o", out.toString(), "--json");
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.json().get("nm_verified").getAsBoolean()).isTrue();
        assertThat(run.json().get("data").getAsString()).isEqualTo("self");
        assertThat(run.json().getAsJsonObject("summary").get("sparsity").getAsDouble()).isEqualTo(0.5);
    }

    @Test
    void ecoflapWithASparsityFileGivesEachBlockItsExactShare() throws Exception {
        // stage 1 (the zeroth-order scores) has its own tests in ops; here the command's wiring with a sparsity file
        Path file = Files.writeString(tmp.resolve("s.yaml"), "0: 0.3\n1: 0.7\n5: 0.6\n");
        Path out = tmp.resolve("eco.safetensors");
        CommandRun run = CommandRun.of("prune", testbed("base").toString(), "--method", "ecoflap", "--ratio", "0.5",
                "--sparsity-file", file.toString(), "--data", testbed("eval/prose.bin").toString(), "--samples", "4",
                "--seq-len", "16", "-o", out.toString(), "--json");
        assertThat(run.code()).as(run.toString()).isZero();
        double[] expected = {0.3, 0.7, 0.5, 0.5, 0.5, 0.6};
        int i = 0;
        for (JsonElement b : run.json().getAsJsonArray("blocks")) {
            JsonObject o = b.getAsJsonObject();
            long weights = o.get("weights").getAsLong();
            assertThat(o.get("target_sparsity").getAsDouble()).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4));
            assertThat(o.get("pruned").getAsLong()).isEqualTo(Math.round(o.get("target_sparsity").getAsDouble() * weights));
            assertThat(o.get("sparsity").getAsDouble()).isEqualTo((double) o.get("pruned").getAsLong() / weights);
            i++;
        }
        assertThat(i).isEqualTo(6);
        assertThat(run.json().getAsJsonObject("params").get("sparsity_file").getAsString()).isEqualTo("s.yaml");
    }
}
