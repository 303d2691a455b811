package dev.surgeon.cli;

import dev.surgeon.io.SharedFixtures;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code surgeon eval} on the shared testbed (a trained byte-level LLaMA). */
class EvalCommandTest {
    @TempDir
    Path tmp;

    private static Path testbed(String relative) {
        Path root = SharedFixtures.root();
        assumeTrue(root != null, "shared fixtures not found (../shared): skipping the eval checks");
        Path p = root.resolve("fixtures/testbed").resolve(relative);
        assumeTrue(Files.exists(p), "testbed fixture missing: " + p + "; skipping");
        return p;
    }

    @Test
    void baseOnProseMatchesTheReadme() {
        Path base = testbed("base");
        Path prose = testbed("eval/prose.bin");
        CommandRun run = CommandRun.of("eval", base.toString(), "--data", prose.toString(), "--seq-len", "128", "--json");
        assertThat(run.code()).as(run.toString()).isZero();
        JsonObject r = run.json();
        assertThat(r.get("tool").getAsString()).isEqualTo("surgeon");
        assertThat(r.get("command").getAsString()).isEqualTo("eval");
        assertThat(r.has("version")).isTrue();
        double nll = r.get("mean_nll").getAsDouble();
        assertThat(nll).isBetween(1.593, 1.595);
        assertThat(r.get("perplexity").getAsDouble()).isCloseTo(Math.exp(nll), org.assertj.core.data.Offset.offset(1e-9));
        long bytes = prose.toFile().length();
        assertThat(r.get("windows").getAsLong()).isEqualTo(bytes / 129);
        assertThat(r.get("tokens").getAsLong()).isEqualTo(bytes / 129 * 128);
        assertThat(r.get("seconds").getAsDouble()).isPositive();
        assertThat(run.err()).doesNotContain("SLF4J");
    }

    @Test
    void humanOutputAndBatchDoNotChangeTheResult() throws Exception {
        Path base = testbed("base");
        Path data = tmp.resolve("short.bin");
        byte[] prose = Files.readAllBytes(testbed("eval/prose.bin"));
        Files.write(data, java.util.Arrays.copyOf(prose, 33 * 5 + 7));
        CommandRun a = CommandRun.of("eval", base.toString(), "--data", data.toString(), "--seq-len", "32", "--json");
        CommandRun b = CommandRun.of("eval", base.toString(), "--data", data.toString(), "--seq-len", "32", "--batch", "2", "--json");
        assertThat(a.code()).as(a.toString()).isZero();
        assertThat(b.code()).as(b.toString()).isZero();
        assertThat(a.json().get("windows").getAsInt()).isEqualTo(5);
        assertThat(b.json().get("mean_nll").getAsDouble())
                .isCloseTo(a.json().get("mean_nll").getAsDouble(), org.assertj.core.data.Offset.offset(1e-6));
        CommandRun human = CommandRun.of("eval", base.toString(), "--data", data.toString(), "--seq-len", "32");
        assertThat(human.code()).as(human.toString()).isZero();
        assertThat(human.out()).startsWith("mean NLL ");
    }

    @Test
    void dataShorterThanOneWindowIsInvalidInput() throws Exception {
        Path base = testbed("base");
        Path data = Files.write(tmp.resolve("tiny.bin"), new byte[128]);
        CommandRun run = CommandRun.of("eval", base.toString(), "--data", data.toString(), "--seq-len", "128");
        assertThat(run.code()).as(run.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
    }

    @Test
    void modelWithoutConfigIsInvalidInput() throws Exception {
        Path weights = testbed("base/model.safetensors");
        Path dir = Files.createDirectories(tmp.resolve("noconfig"));
        Files.copy(weights, dir.resolve("model.safetensors"));
        Path data = Files.write(tmp.resolve("d.bin"), new byte[300]);
        CommandRun run = CommandRun.of("eval", dir.toString(), "--data", data.toString(), "--seq-len", "16");
        assertThat(run.code()).as(run.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(run.err()).contains("config.json");
    }
}
