package dev.surgeon.io.checkpoint;

import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.error.IoFailureException;
import dev.surgeon.io.util.TempFiles;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Unpacks a .tar, .tar.gz/.tgz or .zip holding a model into a private temporary folder, because
 * tensors are read by mapping and compressed bytes cannot be mapped. Entries that would land
 * outside the folder (absolute paths, "..") make the archive invalid; links are skipped.
 */
public final class ArchiveExtractor {
    private ArchiveExtractor() {
    }

    public static boolean isArchive(Path p) {
        String n = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".tar") || n.endsWith(".tar.gz") || n.endsWith(".tgz") || n.endsWith(".zip");
    }

    /** Extracts into a new temporary folder that is deleted at exit; returns it. */
    public static Path extract(Path archive) {
        Path dir = TempFiles.createDirectory("surgeon-archive-");
        try {
            unpack(archive, dir);
            return dir;
        } catch (RuntimeException e) {
            TempFiles.delete(dir); // a refused archive leaves nothing behind, not even until exit
            throw e;
        }
    }

    private static void unpack(Path archive, Path dir) {
        String n = archive.getFileName().toString().toLowerCase(Locale.ROOT);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 1 << 20);
             ArchiveInputStream<?> in = open(n, raw)) {
            ArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                Path target = dir.resolve(e.getName()).normalize();
                if (!target.startsWith(dir) || Path.of(e.getName()).isAbsolute()) {
                    throw new InvalidInputException(archive + ": entry '" + e.getName() + "' points outside the archive");
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else if (isRegularFile(e)) {
                    Files.createDirectories(target.getParent());
                    Files.copy(in, target);
                }
            }
        } catch (NoSuchFileException e) {
            throw new IoFailureException(archive + ": no such file");
        } catch (IOException e) {
            throw new InvalidInputException(archive + ": cannot unpack archive (" + describe(e) + ")", e);
        }
    }

    /** A cut stream ends in an EOFException that usually has no message: say what it means. */
    private static String describe(IOException e) {
        if (e instanceof java.io.EOFException) {
            return "the archive is cut short: unexpected end of data";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static ArchiveInputStream<?> open(String name, InputStream raw) throws IOException {
        if (name.endsWith(".zip")) {
            return new ZipArchiveInputStream(raw);
        }
        if (name.endsWith(".tar.gz") || name.endsWith(".tgz")) {
            return new TarArchiveInputStream(new GzipCompressorInputStream(raw, true));
        }
        return new TarArchiveInputStream(raw);
    }

    private static boolean isRegularFile(ArchiveEntry e) {
        if (e instanceof org.apache.commons.compress.archivers.tar.TarArchiveEntry t) {
            return t.isFile();
        }
        if (e instanceof org.apache.commons.compress.archivers.zip.ZipArchiveEntry z) {
            return !z.isUnixSymlink();
        }
        return true;
    }
}
