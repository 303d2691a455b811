package dev.surgeon.cli;

import dev.surgeon.cli.dryrun.ByteText;
import dev.surgeon.io.error.IoFailureException;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Free space on the file system an output goes to. Checked before anything is written, so a run
 * that cannot fit fails at once with one line instead of after minutes of work on a full disk.
 */
public final class OutputSpace {
    private OutputSpace() {
    }

    /** The free space where {@code target} will be written, and the mount point that holds it. */
    public record Free(long bytes, Path mount) {
    }

    /** Exit 4 (one line) when the file system of {@code target} has fewer than {@code bytes} free. */
    public static void check(Path target, long bytes) {
        Free f = free(target);
        if (f.bytes() < bytes) {
            throw new IoFailureException(message(target, bytes, f));
        }
    }

    public static String message(Path target, long bytes, Free f) {
        return target + ": not enough space: the output needs " + ByteText.of(bytes) + ", " + ByteText.of(f.bytes())
                + " free on " + f.mount();
    }

    /** Measured at the nearest existing ancestor of {@code target} (the output and its parents may not exist yet). */
    public static Free free(Path target) {
        Path p = existingAncestor(target.toAbsolutePath().normalize());
        try {
            FileStore store = Files.getFileStore(p);
            return new Free(store.getUsableSpace(), mountOf(p, store));
        } catch (IOException e) {
            throw new IoFailureException(p + ": cannot read the free space of its file system (" + e.getMessage() + ")", e);
        }
    }

    static Path existingAncestor(Path p) {
        Path q = p;
        while (q != null && !Files.exists(q)) {
            q = q.getParent();
        }
        return q == null ? p.getRoot() : q;
    }

    /** The highest ancestor on the same file store: the mount point, for the message. */
    private static Path mountOf(Path p, FileStore store) {
        Path m = p;
        Path up = p.getParent();
        while (up != null) {
            try {
                if (!Files.getFileStore(up).equals(store)) {
                    break;
                }
            } catch (IOException e) {
                break;
            }
            m = up;
            up = up.getParent();
        }
        return m;
    }
}
