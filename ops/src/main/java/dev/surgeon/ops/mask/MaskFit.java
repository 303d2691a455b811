package dev.surgeon.ops.mask;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.ops.exec.ElementReader;

import java.util.Arrays;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A mask file checked against a model: every weight mask names a float tensor of the model with
 * its shape; every head mask a block, one entry per query head, masking only whole KV groups and
 * not all of them; the layer mask one entry per block, not removing all. What it decides: the
 * removed blocks and, per block, the masked KV groups. Every misfit is an invalid input naming the
 * entry.
 */
public record MaskFit(BlockAttention[] attention, SortedSet<Integer> removedBlocks, Map<Integer, int[]> maskedGroups) {

    public static MaskFit of(Masks masks, Checkpoint in, LayerMap layers) {
        String where = "mask file";
        for (Map.Entry<String, WeightMask> e : masks.weights().entrySet()) {
            String entry = e.getKey() + MaskFile.WEIGHT_SUFFIX;
            TensorRef t = in.tensors().get(e.getKey());
            if (t == null) {
                throw new InvalidInputException(where + ": entry '" + entry + "' names tensor '" + e.getKey()
                        + "', which " + in.reference() + " does not have");
            }
            if (!Arrays.equals(t.info().shape(), e.getValue().shape())) {
                throw new InvalidInputException(where + ": entry '" + entry + "' has shape "
                        + Arrays.toString(e.getValue().shape()) + ", the tensor has " + Arrays.toString(t.info().shape()));
            }
            if (!ElementReader.canRead(t.info()) || !t.info().dtype().isFloat()) {
                throw new InvalidInputException(where + ": entry '" + entry + "' masks a " + t.info().dtype()
                        + " tensor; only floating-point tensors can be masked");
            }
        }
        int blocks = layers.blockCount();
        TreeSet<Integer> removed = new TreeSet<>();
        boolean[] keepLayers = masks.layers();
        if (keepLayers != null) {
            if (keepLayers.length != blocks) {
                throw new InvalidInputException(where + ": entry '" + MaskFile.LAYERS + "' has " + keepLayers.length
                        + " entries, the model has " + blocks + " blocks");
            }
            for (int b = 0; b < blocks; b++) {
                if (!keepLayers[b]) {
                    removed.add(b);
                }
            }
            if (blocks > 0 && removed.size() == blocks) {
                throw new InvalidInputException(where + ": entry '" + MaskFile.LAYERS + "' masks every block ("
                        + blocks + "); at least one must stay");
            }
        }
        BlockAttention[] att = null;
        Map<Integer, int[]> groups = new TreeMap<>();
        if (!masks.heads().isEmpty()) {
            for (int b : masks.heads().keySet()) {
                if (b >= blocks) {
                    throw new InvalidInputException(where + ": entry '" + MaskFile.HEADS_PREFIX + b + "' names block " + b
                            + ", the model has " + blocks + " blocks");
                }
            }
            att = AttentionLayout.of(in, layers);
            for (Map.Entry<Integer, boolean[]> e : masks.heads().entrySet()) {
                groups.put(e.getKey(), groups(where, e.getKey(), e.getValue(), att[e.getKey()]));
            }
        }
        return new MaskFit(att, removed, groups);
    }

    /** The masked KV groups of one block's head mask, ascending. */
    private static int[] groups(String where, int b, boolean[] keep, BlockAttention a) {
        String entry = MaskFile.HEADS_PREFIX + b;
        if (keep.length != a.heads()) {
            throw new InvalidInputException(where + ": entry '" + entry + "' has " + keep.length + " entries, block " + b
                    + " has " + a.heads() + " query heads");
        }
        int gs = a.groupSize();
        int[] masked = new int[a.kvHeads()];
        int n = 0;
        for (int g = 0; g < a.kvHeads(); g++) {
            int kept = 0;
            for (int h = g * gs; h < (g + 1) * gs; h++) {
                kept += keep[h] ? 1 : 0;
            }
            if (kept != 0 && kept != gs) {
                throw new InvalidInputException(where + ": entry '" + entry + "' keeps " + kept + " of the " + gs
                        + " query heads of KV group " + g + " (heads " + g * gs + ".." + ((g + 1) * gs - 1)
                        + "); only whole groups can be removed or zeroed consistently, since the group shares one key and value head");
            }
            if (kept == 0) {
                masked[n++] = g;
            }
        }
        if (n == a.kvHeads()) {
            throw new InvalidInputException(where + ": entry '" + entry + "' masks every head of block " + b
                    + "; mask the block with 'layers' instead");
        }
        return Arrays.copyOf(masked, n);
    }

    /** Masked KV groups of block {@code b} (empty when none). */
    public int[] groupsOf(int b) {
        int[] g = maskedGroups.get(b);
        return g == null ? new int[0] : g.clone();
    }
}
