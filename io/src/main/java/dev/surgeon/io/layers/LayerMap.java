package dev.surgeon.io.layers;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The one place where tensor names are understood: name → (block index, role) for a whole
 * checkpoint. Build it from all tensor names (every shard) and config.json when there is one;
 * every command and method asks it instead of parsing names itself. Immutable and thread-safe.
 *
 * <p>Encoder-decoder models number their blocks through: the encoder's blocks first (0..E-1, E
 * taken from the encoder blocks present in the names), then the decoder's (E..E+D-1). A decoder
 * without an encoder (BartForCausalLM) therefore starts at 0.
 */
public final class LayerMap {

    private final ArchitectureRegistry registry;
    private final Architecture architecture;
    private final boolean fromConfig;
    private final Integer configBlockCount;
    private final int[] offsets;
    private final Map<String, TensorRole> roles = new LinkedHashMap<>();
    private final Map<Integer, List<String>> byBlock;
    private final int blockCount;

    /**
     * @param names  all tensor names of the checkpoint (order kept in {@link #namesByBlock()})
     * @param config parsed config.json, or null when there is none
     */
    public LayerMap(Collection<String> names, JsonObject config) {
        this.registry = ArchitectureRegistry.get();
        List<String> unique = List.copyOf(new LinkedHashSet<>(names));
        List<NameParts> parts = new ArrayList<>(unique.size());
        for (String n : unique) {
            parts.add(NameParts.of(n));
        }
        ArchitectureDetector.Detection d = ArchitectureDetector.detect(parts, config, registry);
        this.architecture = d.architecture();
        this.fromConfig = d.fromConfig();
        this.configBlockCount = architecture != null
                ? architecture.configBlockCount(config) : registry.fallback().configBlockCount(config);

        List<Architecture.Match> matches = new ArrayList<>(unique.size());
        for (NameParts p : parts) {
            matches.add(architecture == null ? null : architecture.match(p.module()));
        }
        this.offsets = stackOffsets(matches);

        TreeMap<Integer, List<String>> blocks = new TreeMap<>();
        for (int i = 0; i < unique.size(); i++) {
            TensorRole r = toRole(unique.get(i), parts.get(i), matches.get(i));
            roles.put(unique.get(i), r);
            if (r.inBlock()) {
                blocks.computeIfAbsent(r.block(), k -> new ArrayList<>()).add(unique.get(i));
            }
        }
        this.blockCount = blocks.isEmpty() ? 0 : blocks.lastKey() + 1;
        blocks.replaceAll((k, v) -> List.copyOf(v));
        this.byBlock = Collections.unmodifiableMap(blocks);
    }

    /**
     * Role of any name; names not given at construction are classified the same way (with the
     * encoder/decoder offsets fixed at construction). Never null.
     */
    public TensorRole roleOf(String name) {
        TensorRole known = roles.get(name);
        if (known != null) {
            return known;
        }
        NameParts p = NameParts.of(name);
        return toRole(name, p, architecture == null ? null : architecture.match(p.module()));
    }

    /**
     * Blocks seen in the weights: 1 + the highest block index (0 when none). A LoRA adapter of the
     * last two blocks of a 24-block model has blockCount 24, so depth-based schedules stay right.
     */
    public int blockCount() {
        return blockCount;
    }

    /** Template name (e.g. "llama", "gpt2") or "generic" when none fits. */
    public String architectureName() {
        return architecture == null ? registry.fallbackName() : architecture.name();
    }

    public Optional<Architecture> architecture() {
        return Optional.ofNullable(architecture);
    }

    /** True when config.json named the architecture; false when it was guessed from the names. */
    public boolean detectedFromConfig() {
        return fromConfig;
    }

    /** Block count config.json declares (may disagree with the weights); null when unknown. */
    public Integer configBlockCount() {
        return configBlockCount;
    }

    /** Names of each block, by ascending block index; names outside blocks are not included. */
    public Map<Integer, List<String>> namesByBlock() {
        return byBlock;
    }

    /**
     * {@code name} with its block index replaced by {@code block} (an index in this map's numbering),
     * so that a method removing blocks can renumber the ones after them without parsing names:
     * {@code model.layers.7.mlp.up_proj.weight} with block 6 gives {@code model.layers.6.mlp.up_proj.weight}.
     *
     * @throws IllegalArgumentException when the name is outside blocks, or {@code block} falls
     *                                  outside the name's stack (encoder-decoder models)
     */
    public String withBlock(String name, int block) {
        TensorRole r = roleOf(name);
        if (!r.inBlock()) {
            throw new IllegalArgumentException("'" + name + "' is not inside a block");
        }
        int local = block;
        int[] span;
        if (architecture == null || r.architecture().equals(registry.fallback().name())) {
            span = registry.fallback().blockDigits(name);
        } else {
            int[] at = architecture.blockDigits(NameParts.of(name).module());
            local = block - offsets[at[0]];
            span = new int[] {at[1], at[2]};
        }
        if (local < 0 || span == null) {
            throw new IllegalArgumentException("block " + block + " is outside the stack of '" + name + "'");
        }
        return name.substring(0, span[0]) + local + name.substring(span[1]);
    }

    /** All names given at construction with their roles, in the order given. */
    public Map<String, TensorRole> roles() {
        return Collections.unmodifiableMap(roles);
    }

    /** Each stack starts after the blocks of the stacks before it that appear in the names. */
    private int[] stackOffsets(List<Architecture.Match> matches) {
        int stacks = architecture == null ? 0 : architecture.stacks().size();
        int[] max = new int[stacks];
        Arrays.fill(max, -1);
        for (Architecture.Match m : matches) {
            if (m != null && m.stack() >= 0) {
                max[m.stack()] = Math.max(max[m.stack()], m.localBlock());
            }
        }
        int[] off = new int[stacks];
        for (int s = 1; s < stacks; s++) {
            off[s] = off[s - 1] + max[s - 1] + 1;
        }
        return off;
    }

    private TensorRole toRole(String name, NameParts p, Architecture.Match m) {
        if (m == null) {
            Fallback f = registry.fallback();
            return new TensorRole(f.blockOf(name), Role.OTHER, p.kind(), false, "", f.name());
        }
        int block = m.stack() < 0 ? TensorRole.NO_BLOCK : offsets[m.stack()] + m.localBlock();
        Rule r = m.rule();
        if (r == null) {
            return new TensorRole(block, Role.OTHER, p.kind(), false, "", architecture.name());
        }
        // Biases and buffers are 1-D or layout-free; only matrices (and LoRA deltas) carry the flag.
        boolean transposed = r.transposed() && (p.kind() == Kind.WEIGHT || p.kind().isLora());
        return new TensorRole(block, r.role(), p.kind(), transposed, r.part(), architecture.name());
    }
}
