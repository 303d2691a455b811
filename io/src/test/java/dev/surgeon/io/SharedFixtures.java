package dev.surgeon.io;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared fixtures folder (real safetensors files, the trained testbed). It lives
 * outside the repository, so tests that need it skip, with a message, where it is absent.
 * Looked up as: system property {@code surgeon.shared}, else {@code ../shared}, else
 * {@code ../../shared} relative to the working directory (Maven runs module tests in the module).
 */
public final class SharedFixtures {

    private SharedFixtures() {
    }

    /** The shared folder, or null when it cannot be found. */
    public static Path root() {
        String prop = System.getProperty("surgeon.shared");
        if (prop != null && !prop.isBlank() && Files.isDirectory(Path.of(prop))) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        for (String candidate : new String[] {"../shared", "../../shared"}) {
            Path p = Path.of(candidate);
            if (Files.isDirectory(p.resolve("fixtures"))) {
                return p.toAbsolutePath().normalize();
            }
        }
        return null;
    }

    /** Skips the calling test when the shared folder is absent. */
    public static void assumePresent() {
        assumeTrue(root() != null,
                "shared fixtures not found: set -Dsurgeon.shared=/path/to/shared or place it at ../shared or ../../shared");
    }

    /** {@code fixtures/real/<dir>}; skips the test when it is absent. */
    public static Path real(String dir) {
        return fixture("fixtures/real/" + dir);
    }

    /** {@code fixtures/testbed/<dir>}; skips the test when it is absent. */
    public static Path testbed(String dir) {
        return fixture("fixtures/testbed/" + dir);
    }

    /**
     * The second half of the testbed's {@code eval/prose.bin} as byte-level token ids: the
     * calibration split of the pruning tests, which leave the first half for evaluation. Skips the
     * test when it is absent.
     */
    public static int[] testbedCalibrationProse() throws java.io.IOException {
        byte[] prose = Files.readAllBytes(testbed("eval/prose.bin"));
        int[] ids = new int[prose.length / 2];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = prose[prose.length - ids.length + i] & 0xff;
        }
        return ids;
    }

    private static Path fixture(String relative) {
        assumePresent();
        Path p = root().resolve(relative);
        assumeTrue(Files.exists(p), "shared fixture missing: " + p);
        return p;
    }
}
