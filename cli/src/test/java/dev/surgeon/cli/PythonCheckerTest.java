package dev.surgeon.cli;

import dev.surgeon.io.SharedFixtures;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The independent Python checker (../shared/tools/inspect_safetensors.py) accepts every kind of file
 * surgeon writes: single files and folders, every output dtype, shards with an index, synthetic models.
 * Skipped when ../shared, python3 or numpy is missing.
 */
class PythonCheckerTest {
    @TempDir
    Path tmp;
    static Path checker;

    @BeforeAll
    static void findChecker() throws Exception {
        Path shared = SharedFixtures.root();
        checker = shared == null ? null : shared.resolve("tools/inspect_safetensors.py");
        checker = checker != null && Files.isRegularFile(checker) ? checker : null;
        Assumptions.assumeTrue(checker != null, "../shared/tools/inspect_safetensors.py not found; checker test skipped");
        Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
        Assumptions.assumeTrue(p.waitFor() == 0, "python3 with numpy not available; checker test skipped");
    }

    private static void assertAccepted(Path... targets) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("python3", checker.toString(), "--summary"));
        for (Path t : targets) {
            cmd.add(t.toString());
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).doesNotContain("FAIL");
    }

    @Test
    void acceptsConvertOutputsOfEveryDtypeAndLayout() throws Exception {
        Path in = TestModels.tinyLlama(tmp.resolve("in"), 1);
        for (String dt : new String[] {"bf16", "f16", "f32"}) {
            assertThat(Main.run("convert", in.toString(), "--dtype", dt, "-o", tmp.resolve(dt).toString(), "-q")).isZero();
            assertAccepted(tmp.resolve(dt).resolve("model.safetensors"));
        }
        assertThat(Main.run("convert", in.toString(), "-o", tmp.resolve("one.safetensors").toString(), "-q")).isZero();
        assertThat(Main.run("convert", in.toString(), "--max-shard-size", "2K", "-o", tmp.resolve("sh").toString(), "-q")).isZero();
        assertAccepted(tmp.resolve("one.safetensors"), tmp.resolve("sh/model.safetensors.index.json"), tmp.resolve("sh"));
    }

    @Test
    void acceptsSynthesizedModels() throws Exception {
        assertThat(Main.run("synth", "--arch", "llama", "--layers", "2", "--hidden", "32", "--intermediate", "48",
                "--heads", "4", "--kv-heads", "2", "--vocab", "64", "-o", tmp.resolve("llama").toString(), "-q")).isZero();
        assertThat(Main.run("synth", "--arch", "gpt2", "--layers", "2", "--hidden", "32", "--intermediate", "64",
                "--heads", "4", "--vocab", "64", "--dtype", "f32", "-o", tmp.resolve("gpt2").toString(), "-q")).isZero();
        assertAccepted(tmp.resolve("llama"), tmp.resolve("gpt2"));
    }
}
