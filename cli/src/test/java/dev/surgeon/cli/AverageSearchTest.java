package dev.surgeon.cli;

import dev.surgeon.io.SharedFixtures;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code surgeon average --search} (HMA logit search by forward passes) on the shared testbed. */
class AverageSearchTest {
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
    void searchIsNoWorseThanEqualRatios() throws Exception {
        Path out = tmp.resolve("hma");
        CommandRun run = CommandRun.of("average", testbed("base").toString(), testbed("ft-code").toString(), "--search",
                "--data", testbed("eval/prose.bin").toString(), "--blocks", "3", "--steps", "3", "--seq-len", "64",
                "--max-windows", "2", "-o", out.toString(), "--json");
        assertThat(run.code()).as(run.toString()).isZero();
        JsonObject r = run.json();
        JsonObject s = r.getAsJsonObject("search");
        assertThat(s.get("evaluations").getAsInt()).isEqualTo(3);
        JsonObject start = s.getAsJsonObject("start");
        JsonObject result = s.getAsJsonObject("result");
        assertThat(result.get("objective").getAsDouble()).isLessThanOrEqualTo(start.get("objective").getAsDouble());
        // equal ratios: every part at W, no penalty
        for (var w : start.getAsJsonArray("ratios")) {
            assertThat(w.getAsDouble()).isCloseTo(0.8, org.assertj.core.data.Offset.offset(1e-12));
        }
        assertThat(start.get("penalty").getAsDouble()).isZero();
        assertThat(s.get("nll_ma").getAsDouble()).isPositive();
        JsonObject params = r.getAsJsonObject("params");
        assertThat(params.get("mode").getAsString()).isEqualTo("hma");
        assertThat(params.getAsJsonArray("logits")).isEqualTo(result.getAsJsonArray("logits"));
        assertThat(Files.exists(out.resolve("model.safetensors"))).isTrue();
        // the trace: the start and every evaluation, the chosen one holding the result's objective,
        // the running best never rising; the HTML page draws it as the search's sweep curve
        var sweep = s.getAsJsonArray("sweep");
        assertThat(sweep).hasSize(4);
        int chosen = s.get("chosen_evaluation").getAsInt();
        assertThat(sweep.get(chosen).getAsJsonObject().get("objective").getAsDouble()).isEqualTo(result.get("objective").getAsDouble());
        for (int i = 1; i < sweep.size(); i++) {
            assertThat(sweep.get(i).getAsJsonObject().get("best_objective").getAsDouble())
                    .isLessThanOrEqualTo(sweep.get(i - 1).getAsJsonObject().get("best_objective").getAsDouble());
        }
        Path page = tmp.resolve("hma.html");
        assertThat(Main.run("average", testbed("base").toString(), testbed("ft-code").toString(), "--search",
                "--data", testbed("eval/prose.bin").toString(), "--blocks", "3", "--steps", "3", "--seq-len", "64",
                "--max-windows", "2", "-o", tmp.resolve("hma2").toString(), "-q", "--report-html", page.toString())).isZero();
        String html = Files.readString(page);
        assertThat(html).contains("search: objective against evaluation").contains("class=\"point chosen\"");
    }

    @Test
    void selfSampledProxyData() {
        Path out = tmp.resolve("hma-self");
        CommandRun run = CommandRun.of("average", testbed("base").toString(), testbed("ft-code").toString(), "--search",
                "--calib", "self", "--steps", "1", "--seq-len", "16", "--max-windows", "2", "-o", out.toString(), "--json");
        assertThat(run.code()).as(run.toString()).isZero();
        JsonObject s = run.json().getAsJsonObject("search");
        assertThat(s.get("data").getAsString()).startsWith("self");
        assertThat(s.get("windows").getAsInt()).isEqualTo(2);
        assertThat(s.getAsJsonObject("result").get("objective").getAsDouble())
                .isLessThanOrEqualTo(s.getAsJsonObject("start").get("objective").getAsDouble());
    }

    @Test
    void usageErrors() {
        String pre = testbed("base").toString();
        String post = testbed("ft-code").toString();
        String data = testbed("eval/prose.bin").toString();
        String o = tmp.resolve("x").toString();
        CommandRun noData = CommandRun.of("average", pre, post, "--search", "-o", o);
        assertThat(noData.code()).as(noData.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(noData.err()).contains("--data");
        CommandRun withRatios = CommandRun.of("average", pre, post, "--search", "--data", data, "--ratios", "0.8,0.8,0.8", "-o", o);
        assertThat(withRatios.code()).as(withRatios.toString()).isEqualTo(ExitCodes.USAGE);
        CommandRun calib = CommandRun.of("average", pre, post, "--search", "--calib", "other", "-o", o);
        assertThat(calib.code()).as(calib.toString()).isEqualTo(ExitCodes.USAGE);
        CommandRun both = CommandRun.of("average", pre, post, "--search", "--calib", "self", "--data", data, "-o", o);
        assertThat(both.code()).as(both.toString()).isEqualTo(ExitCodes.USAGE);
        CommandRun dataNoSearch = CommandRun.of("average", pre, post, "--data", data, "-o", o);
        assertThat(dataNoSearch.code()).as(dataNoSearch.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(Files.exists(tmp.resolve("x"))).isFalse();
    }
}
