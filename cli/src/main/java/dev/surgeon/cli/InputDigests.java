package dev.surgeon.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.digest.DigestCache;
import dev.surgeon.io.digest.Sha256;
import dev.surgeon.io.digest.Sha256Sums;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * SHA-256 of each input, hashed on a background daemon thread from the moment the input is added
 * to the report, so the reading overlaps calibration and planning; a writer joins it before it
 * needs the digests (for the recipe). An input's digest: for a single .safetensors file, the
 * file's; for an archive, the archive file's; for a folder or index, the SHA-256 of its listing in
 * SHA256SUMS format ({@code "<hex>  <path relative to the folder>\n"} lines sorted by path) over
 * its safetensors files, index and side files. A file unchanged since an earlier run is not read
 * again ({@link DigestCache}).
 */
public final class InputDigests {
    /** One input: its name (file or folder name only), digest, and the files that went into it. */
    public record Digest(String name, String sha256, List<FileDigest> files) {
    }

    public record FileDigest(Path path, String sha256) {
    }

    private record Pending(FutureTask<Digest> task, JsonObject entry) {
    }

    // Checkpoint keeps identity equality, so this maps each opened input to its hashing.
    private static final Map<Checkpoint, Pending> PENDING = Collections.synchronizedMap(new WeakHashMap<>());

    private InputDigests() {
    }

    /** Starts hashing {@code c}; {@code entry}, the report's inputs[] object, gets the digests when joined. */
    public static void start(Checkpoint c, JsonObject entry) {
        FutureTask<Digest> task = new FutureTask<>(() -> compute(c));
        PENDING.put(c, new Pending(task, entry));
        Thread t = new Thread(task, "surgeon-input-digest");
        t.setDaemon(true);
        t.start();
    }

    /** The digest of {@code c}: joins the background hashing if started, else hashes now. */
    public static Digest await(Checkpoint c) {
        Pending p = PENDING.remove(c);
        if (p == null) {
            return compute(c);
        }
        Digest d;
        try {
            d = p.task().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.surgeon.io.error.IoFailureException(c.reference() + ": interrupted while hashing");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
        if (p.entry() != null) {
            fill(p.entry(), d);
        }
        return d;
    }

    /** Puts sha256 and files[] into a report entry, sha256 right after path. */
    static void fill(JsonObject entry, Digest d) {
        List<Map.Entry<String, JsonElement>> rest = new ArrayList<>(entry.entrySet());
        rest.forEach(e -> entry.remove(e.getKey()));
        for (Map.Entry<String, JsonElement> e : rest) {
            entry.add(e.getKey(), e.getValue());
            if (e.getKey().equals("path")) {
                entry.addProperty("sha256", d.sha256());
            }
        }
        if (!entry.has("sha256")) {
            entry.addProperty("sha256", d.sha256());
        }
        JsonArray files = new JsonArray();
        for (FileDigest f : d.files()) {
            JsonObject o = new JsonObject();
            o.addProperty("path", f.path().toString());
            o.addProperty("sha256", f.sha256());
            files.add(o);
        }
        entry.add("files", files);
    }

    /** A stand-in with the right name and a digest of the right length, for sizing a header before hashing ends. */
    public static Digest placeholder(Checkpoint c) {
        Path ref = Path.of(c.reference()).toAbsolutePath().normalize();
        if (c.kind() == Checkpoint.Kind.FILE || c.kind() == Checkpoint.Kind.ARCHIVE) {
            return new Digest(ref.getFileName().toString(), "0".repeat(64), List.of());
        }
        Path root = c.root().toAbsolutePath().normalize();
        return new Digest(root.getFileName() == null ? root.toString() : root.getFileName().toString(), "0".repeat(64), List.of());
    }

    /** Hashes {@code c} on the calling thread. */
    public static Digest compute(Checkpoint c) {
        ByteBuffer buf = ByteBuffer.allocateDirect(Sha256.BUFFER);
        Path ref = Path.of(c.reference()).toAbsolutePath().normalize();
        if (c.kind() == Checkpoint.Kind.FILE || c.kind() == Checkpoint.Kind.ARCHIVE) {
            String hex = DigestCache.ofFile(ref, buf);
            return new Digest(ref.getFileName().toString(), hex, List.of(new FileDigest(ref, hex)));
        }
        Path root = c.root().toAbsolutePath().normalize();
        List<Path> paths = new ArrayList<>();
        for (Path p : c.inputPaths()) {
            paths.add(p.toAbsolutePath().normalize());
        }
        paths.sort(Comparator.comparing(p -> relative(root, p)));
        List<FileDigest> files = new ArrayList<>();
        List<Sha256Sums.Entry> listing = new ArrayList<>();
        // shards hashed side by side (a 70B checkpoint is dozens of 5 GB files); the order of the list is kept
        List<String> hexes = paths.size() == 1 ? List.of(DigestCache.ofFile(paths.get(0), buf))
                : paths.parallelStream().map(p -> DigestCache.ofFile(p, ByteBuffer.allocateDirect(Sha256.BUFFER))).toList();
        for (int i = 0; i < paths.size(); i++) {
            files.add(new FileDigest(paths.get(i), hexes.get(i)));
            listing.add(new Sha256Sums.Entry(hexes.get(i), relative(root, paths.get(i))));
        }
        String sums = Sha256.of(Sha256Sums.format(listing).getBytes(StandardCharsets.UTF_8));
        String name = root.getFileName() == null ? root.toString() : root.getFileName().toString();
        return new Digest(name, sums, files);
    }

    private static String relative(Path root, Path p) {
        return p.startsWith(root) ? root.relativize(p).toString().replace('\\', '/') : p.getFileName().toString();
    }
}
