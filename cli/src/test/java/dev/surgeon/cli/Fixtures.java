package dev.surgeon.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared fixtures folder (real safetensors files) for the cli tests, which cannot see
 * the io module's test helpers. Looked up as: system property {@code surgeon.shared}, else
 * {@code ../shared}, else {@code ../../shared} from the working directory (Maven runs the cli tests
 * in {@code cli/}). Tests that need it skip, with a message, where it is absent.
 */
final class Fixtures {
    private Fixtures() {
    }

    /** The shared folder, or null when it cannot be found. */
    static Path root() {
        String prop = System.getProperty("surgeon.shared");
        if (prop != null && !prop.isBlank() && Files.isDirectory(Path.of(prop, "fixtures"))) {
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

    /** {@code fixtures/real/<dir>}; skips the calling test when it is absent. */
    static Path real(String dir) {
        Path root = root();
        assumeTrue(root != null, "shared fixtures not found: set -Dsurgeon.shared=/path/to/shared"
                + " or place the folder at ../shared or ../../shared; skipping");
        Path p = root.resolve("fixtures/real").resolve(dir);
        assumeTrue(Files.exists(p), "shared fixture missing: " + p + "; skipping");
        return p;
    }
}
