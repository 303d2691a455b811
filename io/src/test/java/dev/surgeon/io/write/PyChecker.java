package dev.surgeon.io.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.surgeon.io.SharedFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code shared/tools/inspect_safetensors.py --summary} (python3 + numpy) on files written by
 * the tests. Skips the calling test where the tool, python3 or numpy is unavailable.
 */
final class PyChecker {
    private static Boolean pythonOk;

    private PyChecker() {
    }

    static Path tool() {
        SharedFixtures.assumePresent();
        Path t = SharedFixtures.root().resolve("tools/inspect_safetensors.py");
        assumeTrue(Files.isRegularFile(t), "no " + t);
        assumeTrue(pythonAvailable(), "python3 with numpy is not available");
        return t;
    }

    static synchronized boolean pythonAvailable() {
        if (pythonOk == null) {
            try {
                Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                pythonOk = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                pythonOk = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                pythonOk = false;
            }
        }
        return pythonOk;
    }

    /** Asserts the checker exits 0 on each path (a file or an index). */
    static void assertAccepts(List<Path> paths) throws IOException, InterruptedException {
        Path tool = tool();
        assertThat(paths).isNotEmpty();
        for (Path p : paths) {
            List<String> cmd = new ArrayList<>(List.of("python3", tool.toString(), "--summary", p.toString()));
            Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(proc.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(proc.exitValue()).as("inspect_safetensors.py --summary %s:%n%s", p, out).isZero();
        }
    }
}
