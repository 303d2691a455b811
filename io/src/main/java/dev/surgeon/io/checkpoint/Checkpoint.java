package dev.surgeon.io.checkpoint;

import com.google.gson.JsonObject;
import dev.surgeon.io.safetensors.SafetensorsFile;
import dev.surgeon.io.util.TempFiles;

import java.io.Closeable;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * An opened model: its safetensors files (one, or the shards of an index), every tensor by name in
 * file-then-data order, the config.json and side files of its folder. Only headers have been read.
 */
public final class Checkpoint implements Closeable {
    /** What the user named. */
    public enum Kind { FILE, INDEX, DIRECTORY, ARCHIVE }

    private final String reference;
    private final Kind kind;
    private final Path root;
    private final List<SafetensorsFile> files;
    private final Map<String, TensorRef> tensors;
    private final ShardIndex index;
    private final JsonObject config;
    private final List<Path> sideFiles;
    private final List<String> warnings;
    private final Path extracted;

    Checkpoint(String reference, Kind kind, Path root, List<SafetensorsFile> files, Map<String, TensorRef> tensors,
               ShardIndex index, JsonObject config, List<Path> sideFiles, List<String> warnings, Path extracted) {
        this.reference = reference;
        this.kind = kind;
        this.root = root;
        this.files = List.copyOf(files);
        this.tensors = tensors;
        this.index = index;
        this.config = config;
        this.sideFiles = List.copyOf(sideFiles);
        this.warnings = List.copyOf(warnings);
        this.extracted = extracted;
    }

    /** Opens a model reference: a .safetensors file, an index, a model folder or an archive of one. */
    public static Checkpoint open(String reference) {
        return ModelResolver.open(reference);
    }

    public String reference() {
        return reference;
    }

    public Kind kind() {
        return kind;
    }

    /** The folder holding the weights (for a single file, its parent folder). */
    public Path root() {
        return root;
    }

    public List<SafetensorsFile> files() {
        return files;
    }

    public Map<String, TensorRef> tensors() {
        return tensors;
    }

    public Collection<String> names() {
        return tensors.keySet();
    }

    public TensorRef tensor(String name) {
        return tensors.get(name);
    }

    /** The shard index, or null for a single file. */
    public ShardIndex index() {
        return index;
    }

    /** config.json beside the weights, or null. */
    public JsonObject config() {
        return config;
    }

    public List<Path> sideFiles() {
        return sideFiles;
    }

    public List<String> warnings() {
        return warnings;
    }

    /** Metadata of the first file (null when it has none). */
    public Map<String, String> metadata() {
        return files.isEmpty() ? null : files.get(0).metadata();
    }

    /** Every path this checkpoint reads, for the rule that an output may never be an input. */
    public List<Path> inputPaths() {
        java.util.ArrayList<Path> out = new java.util.ArrayList<>();
        for (SafetensorsFile f : files) {
            out.add(f.path());
        }
        if (index != null) {
            out.add(index.path());
        }
        out.addAll(sideFiles);
        return out;
    }

    public long totalBytes() {
        long n = 0;
        for (TensorRef t : tensors.values()) {
            n += t.info().byteSize();
        }
        return n;
    }

    @Override
    public void close() {
        for (SafetensorsFile f : files) {
            f.close();
        }
        if (extracted != null) {
            TempFiles.delete(extracted);
        }
    }
}
