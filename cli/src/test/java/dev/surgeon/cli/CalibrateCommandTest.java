package dev.surgeon.cli;

import dev.surgeon.io.SharedFixtures;
import com.google.gson.JsonObject;
import dev.surgeon.ops.calib.ActivationStats;
import dev.surgeon.ops.calib.StatsFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code surgeon calibrate} on the shared testbed (a trained byte-level LLaMA, 6 blocks). */
class CalibrateCommandTest {
    @TempDir
    Path tmp;

    private static Path testbed(String relative) {
        Path root = SharedFixtures.root();
        assumeTrue(root != null, "shared fixtures not found (../shared): skipping the calibrate checks");
        Path p = root.resolve("fixtures/testbed").resolve(relative);
        assumeTrue(Files.exists(p), "testbed fixture missing: " + p + "; skipping");
        return p;
    }

    @Test
    void proseStatisticsHoldEveryLinear() {
        Path out = tmp.resolve("x.safetensors");
        CommandRun run = CommandRun.of("calibrate", testbed("base").toString(), "--data", testbed("eval/prose.bin").toString(),
                "--samples", "8", "--seq-len", "64", "--gram", "-o", out.toString(), "--json");
        assertThat(run.code()).as(run.toString()).isZero();
        JsonObject r = run.json();
        assertThat(r.get("command").getAsString()).isEqualTo("calibrate");
        assertThat(r.get("samples").getAsInt()).isEqualTo(8);
        assertThat(r.get("seq_len").getAsInt()).isEqualTo(64);
        assertThat(r.get("tokens").getAsLong()).isEqualTo(512);
        assertThat(r.get("seconds").getAsDouble()).isPositive();
        assertThat(r.getAsJsonArray("warnings")).isEmpty();
        ActivationStats s = StatsFormat.read(out);
        assertThat(s.linears()).hasSize(6 * 7);
        assertThat(s.blockCosine()).hasSize(6);
        assertThat(s.metadata()).containsEntry("model", "base").containsEntry("data", "prose.bin")
                .containsEntry("format", "surgeon-stats");
        ActivationStats.Linear down = s.linear("model.layers.5.mlp.down_proj");
        assertThat(down.tokens()).isEqualTo(512);
        assertThat(down.gram()).hasSize(down.inFeatures() * down.inFeatures());
        assertThat(s.linear("model.layers.0.self_attn.q_proj").gram()).isNull();
        assertThat(run.err()).doesNotContain("SLF4J");
    }

    @Test
    void shortDataWarnsAndSelfSamplingIsReproducible() throws Exception {
        Path base = testbed("base");
        Path data = Files.write(tmp.resolve("short.bin"), java.util.Arrays.copyOf(Files.readAllBytes(testbed("eval/prose.bin")), 100));
        CommandRun warn = CommandRun.of("calibrate", base.toString(), "--data", data.toString(), "--samples", "4",
                "--seq-len", "32", "-o", tmp.resolve("w.safetensors").toString(), "--json");
        assertThat(warn.code()).as(warn.toString()).isZero();
        assertThat(warn.json().get("samples").getAsInt()).isEqualTo(3);
        assertThat(warn.json().getAsJsonArray("warnings")).hasSize(1);

        Path a = tmp.resolve("a.safetensors");
        Path b = tmp.resolve("b.safetensors");
        for (Path p : new Path[] {a, b}) {
            CommandRun run = CommandRun.of("calibrate", base.toString(), "--calib", "self", "--samples", "2", "--seq-len", "8",
                    "--seed", "3", "-o", p.toString());
            assertThat(run.code()).as(run.toString()).isZero();
        }
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
        assertThat(StatsFormat.read(a).metadata()).containsEntry("data", "self").containsEntry("seed", "3");
    }

    @Test
    void sourceIsRequiredAndExclusive() {
        Path base = testbed("base");
        assertThat(CommandRun.of("calibrate", base.toString()).code()).isEqualTo(ExitCodes.USAGE);
        assertThat(CommandRun.of("calibrate", base.toString(), "--calib", "data").code()).isEqualTo(ExitCodes.USAGE);
        assertThat(CommandRun.of("calibrate", base.toString(), "--calib", "self", "-o", tmp.resolve("x").toString()).code())
                .isEqualTo(ExitCodes.USAGE);
    }
}
