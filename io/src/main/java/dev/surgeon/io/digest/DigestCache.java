package dev.surgeon.io.digest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SHA-256 of input files remembered between runs, as git's index and ccache do: a file whose path,
 * size, inode, device, modification and change times (nanoseconds) are all as they were when it was
 * hashed is not read again. A release pipeline runs several commands on one base model; hashing it
 * each time cost about 0.8 s of CPU per GB (measured). Any write to a file moves its change time,
 * which no user can set back, so a changed file is always hashed again. A file changed within
 * {@link #RACY} of its hashing is not remembered ("racy git": coarse file-system clocks could hide a
 * write in the same tick). The cache is one small text file in {@code $SURGEON_CACHE_DIR}, else
 * {@code $XDG_CACHE_HOME/surgeon}, else {@code ~/.cache/surgeon}; {@code SURGEON_DIGEST_CACHE=off}
 * turns it off. Failing to read or write it is never an error: the file is just hashed.
 */
public final class DigestCache {
    static final String FILE_NAME = "sha256-v1.tsv";
    /** Entries kept; the oldest go first. */
    private static final int KEEP = 4096;
    private static final long RACY = 2_000_000_000L;
    private static final AtomicInteger HASHED = new AtomicInteger();

    private DigestCache() {
    }

    /** What identifies one state of a file. */
    record Stamp(long size, long mtime, long ctime, long inode, long device) {
        String key(Path real) {
            return size + "\t" + mtime + "\t" + ctime + "\t" + inode + "\t" + device + "\t" + real;
        }
    }

    /** The file's digest, from the cache when its stamp is unchanged, else hashed (and remembered). */
    public static String ofFile(Path file, ByteBuffer buffer) {
        Path dir = directory();
        Path real;
        Stamp before;
        try {
            real = file.toRealPath();
            before = stamp(real);
        } catch (IOException | RuntimeException e) {
            dir = null;
            real = null;
            before = null;
        }
        if (dir == null) {
            HASHED.incrementAndGet();
            return Sha256.ofFile(file, buffer);
        }
        String key = before.key(real);
        String hit = read(dir).get(key);
        if (hit != null) {
            return hit;
        }
        long started = System.currentTimeMillis() * 1_000_000L;
        HASHED.incrementAndGet();
        String hex = Sha256.ofFile(file, buffer);
        try {
            Stamp after = stamp(real);
            if (after.equals(before) && started - Math.max(before.mtime(), before.ctime()) > RACY) {
                remember(dir, key, hex);
            }
        } catch (IOException | RuntimeException e) {
            // not remembered: hashed again next time
        }
        return hex;
    }

    /** Files hashed (not found in the cache) by this JVM so far; for tests. */
    static int hashed() {
        return HASHED.get();
    }

    static Path directory() {
        String off = System.getenv("SURGEON_DIGEST_CACHE");
        if (off != null && (off.equalsIgnoreCase("off") || off.equals("0") || off.equalsIgnoreCase("false"))) {
            return null;
        }
        String own = System.getenv("SURGEON_CACHE_DIR");
        if (own != null && !own.isBlank()) {
            return Path.of(own);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "surgeon");
        }
        String home = System.getProperty("user.home");
        return home == null || home.isBlank() ? null : Path.of(home, ".cache", "surgeon");
    }

    static Stamp stamp(Path real) throws IOException {
        Map<String, Object> a = Files.readAttributes(real, "unix:size,lastModifiedTime,ctime,ino,dev");
        return new Stamp((Long) a.get("size"), nanos((FileTime) a.get("lastModifiedTime")), nanos((FileTime) a.get("ctime")),
                (Long) a.get("ino"), (Long) a.get("dev"));
    }

    private static long nanos(FileTime t) {
        return t.to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** key → hex, in file order (oldest first); empty when there is no readable cache. */
    private static LinkedHashMap<String, String> read(Path dir) {
        LinkedHashMap<String, String> m = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(dir.resolve(FILE_NAME), StandardCharsets.UTF_8)) {
                int tab = line.indexOf('\t');
                if (tab == 64) {
                    m.put(line.substring(tab + 1), line.substring(0, tab));
                }
            }
        } catch (IOException | RuntimeException e) {
            m.clear();
        }
        return m;
    }

    /** Adds one entry: rewrites the file under a temporary name and renames it (readers never see half a file). */
    private static synchronized void remember(Path dir, String key, String hex) throws IOException {
        Files.createDirectories(dir);
        LinkedHashMap<String, String> m = read(dir);
        m.remove(key);
        m.put(key, hex);
        List<String> lines = new ArrayList<>(m.size());
        int skip = Math.max(0, m.size() - KEEP);
        for (Map.Entry<String, String> e : m.entrySet()) {
            if (skip > 0) {
                skip--;
                continue;
            }
            lines.add(e.getValue() + "\t" + e.getKey());
        }
        Path tmp = Files.createTempFile(dir, FILE_NAME, ".tmp");
        try {
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, dir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(FILE_NAME), StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
