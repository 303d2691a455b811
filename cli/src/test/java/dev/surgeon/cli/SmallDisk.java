package dev.surgeon.cli;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tmpfs mounted for one test (needs root; the test is skipped with a message otherwise):
 * {@code size=...} for a full disk, {@code ro} for an unwritable one.
 */
final class SmallDisk implements AutoCloseable {
    private final Path mount;

    private SmallDisk(Path mount) {
        this.mount = mount;
    }

    /** Mounts a tmpfs at {@code dir} (created) with the given mount options, e.g. "size=256k" or "ro". */
    static SmallDisk mount(Path dir, String options) throws Exception {
        Files.createDirectories(dir);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString())
                .redirectErrorStream(true).start();
        boolean ok = p.waitFor() == 0;
        Assumptions.assumeTrue(ok, "cannot mount a tmpfs here (needs root): test skipped");
        return new SmallDisk(dir);
    }

    Path path() {
        return mount;
    }

    @Override
    public void close() throws Exception {
        new ProcessBuilder("umount", mount.toString()).start().waitFor();
    }
}
