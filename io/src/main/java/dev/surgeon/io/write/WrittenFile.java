package dev.surgeon.io.write;

import java.nio.file.Path;

/** A file of a finished output, by its path relative to the output root, and its size. */
public record WrittenFile(String relativePath, long bytes) {
    public Path under(Path root) {
        return root.resolve(relativePath);
    }
}
