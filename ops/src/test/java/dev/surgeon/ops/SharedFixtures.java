package dev.surgeon.ops;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared fixtures folder (the trained testbed) for the ops tests, as the io module's
 * test helper does: system property {@code surgeon.shared}, else {@code ../shared}, else
 * {@code ../../shared} from the working directory. Tests that need it skip, with a message, where
 * it is absent.
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

    /** {@code fixtures/testbed/<relative>}; skips the calling test when it is absent. */
    public static Path testbed(String relative) {
        Path root = root();
        assumeTrue(root != null, "shared fixtures not found: set -Dsurgeon.shared=/path/to/shared or place the "
                + "folder at ../shared or ../../shared; skipping");
        Path p = root.resolve("fixtures/testbed").resolve(relative);
        assumeTrue(Files.exists(p), "shared fixture missing: " + p + "; skipping");
        return p;
    }
}
