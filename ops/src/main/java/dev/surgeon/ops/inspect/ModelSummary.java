package dev.surgeon.ops.inspect;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.io.layers.Role;
import dev.surgeon.io.layers.TensorRole;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.safetensors.SafetensorsFile;
import dev.surgeon.io.safetensors.TensorInfo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a checkpoint holds, from its headers and config.json alone (no tensor data is read):
 * architecture and blocks from the layer map, parameters and bytes by dtype, role and block,
 * its files and metadata, and the warnings met (reader warnings, config.json disagreements).
 */
public final class ModelSummary {
    /** One safetensors file of the checkpoint. */
    public record FileEntry(Path path, long bytes, int tensors) {
    }

    private final String reference;
    private final Checkpoint.Kind kind;
    private final String architecture;
    private final boolean architectureFromConfig;
    private final int blocks;
    private final Integer configBlocks;
    private final long params;
    private final long bytes;
    private final List<FileEntry> files;
    private final Path index;
    private final Map<DType, Tally> dtypes;
    private final Map<Role, Tally> roles;
    private final Map<Integer, Tally> blockTallies;
    private final Tally outsideBlocks;
    private final Map<String, String> metadata;
    private final List<TensorEntry> tensors;
    private final List<String> warnings;

    private ModelSummary(Checkpoint c, LayerMap map) {
        this.reference = c.reference();
        this.kind = c.kind();
        this.architecture = map.architectureName();
        this.architectureFromConfig = map.detectedFromConfig();
        this.blocks = map.blockCount();
        this.configBlocks = map.configBlockCount();
        List<FileEntry> fs = new ArrayList<>();
        for (SafetensorsFile f : c.files()) {
            fs.add(new FileEntry(f.path(), f.fileLength(), f.tensors().size()));
        }
        this.files = List.copyOf(fs);
        this.index = c.index() == null ? null : c.index().path();
        Map<DType, Tally> byDtype = new TreeMap<>((a, b) -> a.name().compareTo(b.name()));
        Map<Role, Tally> byRole = new EnumMap<>(Role.class);
        Map<Integer, Tally> byBlock = new TreeMap<>();
        Tally outside = new Tally();
        List<TensorEntry> ts = new ArrayList<>(c.tensors().size());
        long p = 0;
        long b = 0;
        for (TensorRef ref : c.tensors().values()) {
            TensorInfo t = ref.info();
            TensorRole r = map.roleOf(t.name());
            long n = t.numel();
            long sz = t.byteSize();
            p += n;
            b += sz;
            byDtype.computeIfAbsent(t.dtype(), k -> new Tally()).add(n, sz);
            byRole.computeIfAbsent(r.role(), k -> new Tally()).add(n, sz);
            if (r.inBlock()) {
                byBlock.computeIfAbsent(r.block(), k -> new Tally()).add(n, sz);
            } else {
                outside.add(n, sz);
            }
            ts.add(new TensorEntry(t.name(), t.dtype(), t.shape(), n, sz, r.block(), r.role(), r.kind(),
                    ref.file().path()));
        }
        this.params = p;
        this.bytes = b;
        this.dtypes = Collections.unmodifiableMap(byDtype);
        this.roles = Collections.unmodifiableMap(byRole);
        this.blockTallies = Collections.unmodifiableMap(byBlock);
        this.outsideBlocks = outside;
        this.metadata = c.metadata() == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(c.metadata()));
        this.tensors = List.copyOf(ts);
        List<String> ws = new ArrayList<>(); // the checkpoint's own warnings are reported with the input
        List<TensorInfo> infos = new ArrayList<>(c.tensors().size());
        for (TensorRef ref : c.tensors().values()) {
            infos.add(ref.info());
        }
        ws.addAll(ConfigCheck.warnings(c.config(), map, infos));
        this.warnings = List.copyOf(ws);
    }

    /** Summarizes an open checkpoint from its headers; reads no tensor data. */
    public static ModelSummary of(Checkpoint c) {
        return new ModelSummary(c, new LayerMap(c.names(), c.config()));
    }

    public String reference() {
        return reference;
    }

    public Checkpoint.Kind kind() {
        return kind;
    }

    /** Template name ("llama", "gpt2", ...) or "generic". */
    public String architecture() {
        return architecture;
    }

    /** True when config.json named the architecture, false when the tensor names did. */
    public boolean architectureFromConfig() {
        return architectureFromConfig;
    }

    /** Blocks in the weights: 1 + the highest block index. */
    public int blocks() {
        return blocks;
    }

    /** Blocks config.json declares, or null. */
    public Integer configBlocks() {
        return configBlocks;
    }

    /** Total elements of all tensors, whatever their dtype. */
    public long params() {
        return params;
    }

    /** Total tensor bytes (data sections, without headers). */
    public long bytes() {
        return bytes;
    }

    public List<FileEntry> files() {
        return files;
    }

    /** The shard index, or null. */
    public Path index() {
        return index;
    }

    /** By dtype, sorted by dtype name. */
    public Map<DType, Tally> dtypes() {
        return dtypes;
    }

    /** By role, in {@link Role} order; roles with no tensor are absent. */
    public Map<Role, Tally> roles() {
        return roles;
    }

    /** By block index, ascending; blocks with no tensor are absent. */
    public Map<Integer, Tally> blockTallies() {
        return blockTallies;
    }

    /** Tensors outside any block (embeddings, final norm, heads). */
    public Tally outsideBlocks() {
        return outsideBlocks;
    }

    /** __metadata__ of the first file; empty when it has none. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Every tensor, in checkpoint order (file, then data order). */
    public List<TensorEntry> tensors() {
        return tensors;
    }

    public List<String> warnings() {
        return warnings;
    }
}
