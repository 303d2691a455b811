package dev.surgeon.io.util;

import dev.surgeon.io.error.IoFailureException;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Temporary folders that are removed when the run ends, however it ends (short of SIGKILL). */
public final class TempFiles {
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(TempFiles::deleteQuietly), "surgeon-temp-cleanup"));
    }

    private TempFiles() {
    }

    /** A new folder under $SURGEON_TMP or java.io.tmpdir, registered for deletion at exit. */
    public static Path createDirectory(String prefix) {
        try {
            String base = System.getenv("SURGEON_TMP");
            Path dir = base == null ? Files.createTempDirectory(prefix) : Files.createTempDirectory(Path.of(base), prefix);
            LIVE.add(dir);
            return dir;
        } catch (IOException e) {
            throw new IoFailureException("cannot create a temporary folder (" + e.getMessage() + ")", e);
        }
    }

    /** Deletes a folder created here now, rather than at exit. */
    public static void delete(Path dir) {
        deleteQuietly(dir);
        LIVE.remove(dir);
    }

    /** Deletes a file or a folder tree, ignoring what is already gone. */
    public static void deleteQuietly(Path p) {
        try {
            deleteTree(p);
        } catch (IOException ignored) {
            // best effort: this runs on failure paths and at exit
        }
    }

    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
