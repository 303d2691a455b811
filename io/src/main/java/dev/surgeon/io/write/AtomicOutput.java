package dev.surgeon.io.write;

import dev.surgeon.io.error.IoFailureException;
import dev.surgeon.io.util.TempFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An output that appears whole or not at all. Everything is written into a hidden staging folder
 * beside the target; {@link #commit} fsyncs and renames it into place. A lock file beside the target
 * keeps two runs from writing the same output (the OS drops the lock if a run dies). On failure,
 * on close without commit and on SIGINT/SIGTERM the staging folder and lock are removed.
 */
public final class AtomicOutput implements AutoCloseable {
    private static final Set<AtomicOutput> OPEN = ConcurrentHashMap.newKeySet();
    /**
     * Lock files this JVM holds. Checked before opening the lock file again: closing a second
     * channel on a file drops every POSIX lock the process holds on it, so a refused second begin
     * must never open (and close) the lock file of an output this JVM is writing.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(AtomicOutput::abort), "surgeon-output-cleanup"));
    }

    private final Path target;
    private final boolean singleFile;
    private final Path staging;
    private final Path lockPath;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private boolean done;

    private AtomicOutput(Path target, boolean singleFile, Path staging, Path lockPath, FileChannel lockChannel, FileLock lock) {
        this.target = target;
        this.singleFile = singleFile;
        this.staging = staging;
        this.lockPath = lockPath;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Claims {@code target}: refuses an existing one without {@code force}, or one another run is writing. */
    public static AtomicOutput begin(Path target, boolean force) {
        Path t = target.toAbsolutePath().normalize();
        Path parent = t.getParent();
        String name = t.getFileName().toString();
        if (Files.exists(t) && !force) {
            throw new IoFailureException(target + ": output exists; use --force to replace it");
        }
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new IoFailureException(parent + ": cannot create output folder (" + e.getMessage() + ")", e);
        }
        Path lockPath = parent.resolve("." + name + ".surgeon.lock");
        if (!HELD.add(lockPath)) {
            throw new IoFailureException(target + ": another surgeon run is writing this output");
        }
        try {
            return claim(t, target, parent, name, lockPath, force);
        } catch (RuntimeException e) {
            HELD.remove(lockPath);
            throw e;
        }
    }

    private static AtomicOutput claim(Path t, Path target, Path parent, String name, Path lockPath, boolean force) {
        FileChannel ch;
        FileLock lock;
        Object key;
        try {
            ch = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            key = fileKey(lockPath);
        } catch (IOException e) {
            throw new IoFailureException(parent + ": output folder is not writable (" + e.getMessage() + ")", e);
        }
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException | IOException e) {
            lock = null;
        }
        if (lock == null || !isSameFile(lockPath, key)) {
            // Locked by another run, or that run finished and deleted the file we opened meanwhile.
            closeQuietly(ch);
            throw new IoFailureException(target + ": another surgeon run is writing this output");
        }
        if (Files.exists(t) && !force) {
            // checked again under the lock: another run may have committed since the first look
            releaseLock(lock, ch, lockPath);
            throw new IoFailureException(target + ": output exists; use --force to replace it");
        }
        Path staging = parent.resolve("." + name + ".surgeon-tmp");
        try {
            TempFiles.deleteTree(staging); // left by a run that was killed; we hold the lock now
            Files.createDirectory(staging);
        } catch (IOException e) {
            releaseLock(lock, ch, lockPath);
            throw new IoFailureException(parent + ": cannot create staging folder (" + e.getMessage() + ")", e);
        }
        AtomicOutput out = new AtomicOutput(t, OutputPaths.isStagedAsFile(t), staging, lockPath, ch, lock);
        OPEN.add(out);
        return out;
    }

    public Path target() {
        return target;
    }

    /** The folder to write into. For a single-file output, write the file as {@link #stagedFile()}. */
    public Path staging() {
        return staging;
    }

    /** Where a single-file (or archive) output is staged; files beside it in staging move beside the target. */
    public Path stagedFile() {
        return staging.resolve(target.getFileName().toString());
    }

    /** Moves the staged output into place; after this the output exists whole. */
    public synchronized void commit() {
        if (done) {
            throw new IllegalStateException("output already finished");
        }
        try {
            fsyncDir(staging);
            if (singleFile) {
                try (var s = Files.list(staging)) {
                    for (Path p : (Iterable<Path>) s::iterator) {
                        move(p, target.resolveSibling(p.getFileName().toString()));
                    }
                }
                Files.delete(staging);
            } else {
                Path old = null;
                if (Files.exists(target)) {
                    old = target.resolveSibling("." + target.getFileName() + ".surgeon-old");
                    TempFiles.deleteTree(old);
                    move(target, old);
                }
                try {
                    move(staging, target);
                } catch (IOException e) {
                    if (old != null) {
                        move(old, target); // put the previous output back rather than lose it
                    }
                    throw e;
                }
                if (old != null) {
                    TempFiles.deleteTree(old);
                }
            }
            fsyncDir(target.getParent());
            done = true;
        } catch (IOException e) {
            throw new IoFailureException(target + ": cannot move output into place (" + e.getMessage() + ")", e);
        } finally {
            if (done) {
                finish();
            }
        }
    }

    /** Removes everything staged; safe to call more than once and from the shutdown hook. */
    public synchronized void abort() {
        if (done) {
            return;
        }
        done = true;
        TempFiles.deleteQuietly(staging);
        finish();
    }

    @Override
    public void close() {
        abort();
    }

    private void finish() {
        OPEN.remove(this);
        releaseLock(lock, lockChannel, lockPath);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void fsyncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // some file systems cannot fsync a folder; the files themselves were fsynced
        }
    }

    private static void releaseLock(FileLock lock, FileChannel ch, Path lockPath) {
        try {
            Files.deleteIfExists(lockPath);
            lock.release();
        } catch (IOException ignored) {
            // the OS releases the lock when the channel closes
        }
        closeQuietly(ch);
        HELD.remove(lockPath);
    }

    private static Object fileKey(Path p) throws IOException {
        return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    private static boolean isSameFile(Path p, Object key) {
        try {
            return key == null || key.equals(fileKey(p));
        } catch (IOException e) {
            return false;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }
}
