package dev.surgeon.io.write;

import java.nio.file.Path;

/**
 * A file of a finished output, by its path relative to the output root, its size, and its SHA-256
 * (lower-case hex), computed from the bytes as they were written.
 */
public record WrittenFile(String relativePath, long bytes, String sha256) {
    public Path under(Path root) {
        return root.resolve(relativePath);
    }
}
