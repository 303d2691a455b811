package dev.surgeon.ops.mask;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The content of a GTSP mask file ({@link MaskFile}): weight masks by model tensor name, head masks
 * by block (one entry per query head, true = keep), an optional layer mask (true = keep) and the
 * file's {@code __metadata__}. Whether it fits a model is {@link MaskFit}'s question.
 */
public record Masks(SortedMap<String, WeightMask> weights, SortedMap<Integer, boolean[]> heads, boolean[] layers,
                    Map<String, String> metadata) {
    public Masks {
        weights = Collections.unmodifiableSortedMap(new TreeMap<>(weights == null ? Map.of() : weights));
        TreeMap<Integer, boolean[]> h = new TreeMap<>();
        if (heads != null) {
            heads.forEach((b, m) -> h.put(b, m.clone()));
        }
        heads = Collections.unmodifiableSortedMap(h);
        layers = layers == null ? null : layers.clone();
        metadata = Collections.unmodifiableSortedMap(new TreeMap<>(metadata == null ? Map.of() : metadata));
    }

    /** The keep mask of block {@code b}'s query heads; null when the file has none for it. */
    public boolean[] headsOf(int b) {
        boolean[] m = heads.get(b);
        return m == null ? null : m.clone();
    }

    @Override
    public boolean[] layers() {
        return layers == null ? null : layers.clone();
    }

    /** True when nothing is masked at all. */
    public boolean isEmpty() {
        return weights.isEmpty() && heads.isEmpty() && layers == null;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Masks m) || !weights.equals(m.weights) || !metadata.equals(m.metadata)
                || !Arrays.equals(layers, m.layers) || !heads.keySet().equals(m.heads.keySet())) {
            return false;
        }
        return heads.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), m.heads.get(e.getKey())));
    }

    @Override
    public int hashCode() {
        return weights.hashCode() * 31 + Arrays.hashCode(layers);
    }
}
