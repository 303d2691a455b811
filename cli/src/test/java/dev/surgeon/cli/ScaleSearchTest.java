package dev.surgeon.cli;

import dev.surgeon.io.SharedFixtures;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code surgeon scale --search} (LiNeS α sweep) on the shared testbed. */
class ScaleSearchTest {
    @TempDir
    Path tmp;

    private static Path testbed(String relative) {
        Path root = SharedFixtures.root();
        assumeTrue(root != null, "shared fixtures not found (../shared): skipping the search checks");
        Path p = root.resolve("fixtures/testbed").resolve(relative);
        assumeTrue(Files.exists(p), "testbed fixture missing: " + p + "; skipping");
        return p;
    }

    @Test
    void chosenAlphaRecoversProseAndKeepsMostOfTheCodeGain() {
        Path out = tmp.resolve("lines");
        CommandRun run = CommandRun.of("scale", testbed("base").toString(), testbed("ft-code").toString(), "--search",
                "--target", testbed("eval/code.bin").toString(), "--control", testbed("eval/prose.bin").toString(),
                "--seq-len", "64", "--max-windows", "3", "-o", out.toString(), "--json");
        assertThat(run.code()).as(run.toString()).isZero();
        JsonObject r = run.json();
        JsonObject s = r.getAsJsonObject("search");
        assertThat(s.get("target_windows").getAsInt()).isEqualTo(3);
        assertThat(s.getAsJsonArray("sweep")).hasSize(11);
        double chosen = s.get("chosen_alpha").getAsDouble();
        JsonObject row = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (JsonElement e : s.getAsJsonArray("sweep")) {
            JsonObject o = e.getAsJsonObject();
            bestScore = Math.max(bestScore, o.get("score").getAsDouble());
            if (o.get("alpha").getAsDouble() == chosen) {
                row = o;
            }
        }
        assertThat(row).isNotNull();
        assertThat(row.get("score").getAsDouble()).isEqualTo(bestScore);
        // the edit recovers prose (lower NLL than the fine-tune) and keeps more than half of the code gain
        assertThat(row.get("nll_control").getAsDouble()).isLessThan(s.get("nll_control_ft").getAsDouble());
        assertThat(row.get("target_kept").getAsDouble()).isGreaterThan(0.5);
        // α = 1 (β = 0) is the fine-tune itself
        JsonObject first = s.getAsJsonArray("sweep").get(0).getAsJsonObject();
        assertThat(first.get("target_kept").getAsDouble()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(r.getAsJsonObject("params").get("alpha").getAsDouble()).isEqualTo(chosen);
        assertThat(Files.exists(out.resolve("model.safetensors"))).isTrue();
    }

    @Test
    void usageErrors() {
        Path base = testbed("base");
        Path ft = testbed("ft-code");
        Path code = testbed("eval/code.bin");
        String o = tmp.resolve("x").toString();
        CommandRun both = CommandRun.of("scale", base.toString(), ft.toString(), "--search", "--alpha", "0.5",
                "--target", code.toString(), "--control", code.toString(), "-o", o);
        assertThat(both.code()).as(both.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(both.err()).contains("--alpha");
        CommandRun noData = CommandRun.of("scale", base.toString(), ft.toString(), "--search", "-o", o);
        assertThat(noData.code()).as(noData.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(noData.err()).contains("--target");
        CommandRun dataNoSearch = CommandRun.of("scale", base.toString(), ft.toString(), "--alpha", "0.5",
                "--target", code.toString(), "-o", o);
        assertThat(dataNoSearch.code()).as(dataNoSearch.toString()).isEqualTo(ExitCodes.USAGE);
        CommandRun badWindows = CommandRun.of("scale", base.toString(), ft.toString(), "--search", "--target", code.toString(),
                "--control", code.toString(), "--max-windows", "0", "-o", o);
        assertThat(badWindows.code()).as(badWindows.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(Files.exists(tmp.resolve("x"))).isFalse();
    }
}
