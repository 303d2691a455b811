package dev.surgeon.io.safetensors;

import dev.surgeon.io.util.TempFiles;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays every input kept in src/test/resources/fuzz/regressions/ (crashes the fuzz campaign
 * found, once fixed, and a few inputs chosen for the rules they probe): each must open or be
 * refused with the format's own exception, in bounded time and allocation.
 */
class FuzzRegressionTest {
    @Test
    void keptInputsOpenOrAreRefusedWithTheFormatsError() throws Exception {
        URL folder = getClass().getClassLoader().getResource("fuzz/regressions");
        assertThat(folder).as("the regressions folder is on the test classpath").isNotNull();
        List<Path> inputs;
        try (var s = Files.list(Path.of(folder.toURI()))) {
            inputs = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        }
        assertThat(inputs).isNotEmpty();
        Path dir = Files.createTempDirectory("surgeon-fuzz-regressions-");
        try (FuzzOracle oracle = new FuzzOracle(dir, Duration.ofSeconds(5))) {
            for (Path p : inputs) {
                FuzzOracle.Outcome o = oracle.judge(Files.readAllBytes(p));
                assertThat(o.crash()).as("%s: %s", p.getFileName(), o.label()).isNull();
                String expected = expectedOutcome(p);
                if (expected != null) {
                    assertThat(o.label()).as(p.getFileName().toString()).isEqualTo(expected);
                }
            }
        } finally {
            TempFiles.deleteQuietly(dir);
        }
    }

    /** A name like {@code dup-key.reject-DUPLICATE_KEY.safetensors} states the expected outcome. */
    private static String expectedOutcome(Path p) {
        String n = p.getFileName().toString();
        int at = n.indexOf(".reject-");
        if (at >= 0) {
            return "reject:" + n.substring(at + 8, n.length() - ".safetensors".length());
        }
        return n.contains(".ok.") ? "ok" : null;
    }
}
