package dev.surgeon.ops.prune.comp;

import dev.surgeon.io.error.InvalidInputException;

import java.util.Collections;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What structured pruning decided for a LLaMA-family model: blocks removed (original indices) and,
 * per kept block (original index), its neurons; a kept block absent from the map keeps all neurons
 * unscaled. Whether the neuron indices fit a block's width is checked against the model, by
 * {@link StructuredPlan}.
 */
public record StructuredEdit(int blockCount, SortedSet<Integer> removedBlocks, Map<Integer, BlockNeurons> neurons) {
    public StructuredEdit {
        if (blockCount <= 0) {
            throw new InvalidInputException("a structured edit needs a model with blocks, not " + blockCount);
        }
        // natural order whatever the caller's set used
        TreeSet<Integer> removed = new TreeSet<>();
        if (removedBlocks != null) {
            removed.addAll(removedBlocks);
        }
        removedBlocks = Collections.unmodifiableSortedSet(removed);
        for (int b : removedBlocks) {
            checkBlock(b, blockCount, "removed");
        }
        if (removedBlocks.size() == blockCount) {
            throw new InvalidInputException("structured pruning cannot remove every block (" + blockCount + ")");
        }
        TreeMap<Integer, BlockNeurons> n = new TreeMap<>(neurons == null ? Map.of() : neurons);
        for (Map.Entry<Integer, BlockNeurons> e : n.entrySet()) {
            checkBlock(e.getKey(), blockCount, "neuron edit for");
            if (e.getValue() == null) {
                throw new InvalidInputException("block " + e.getKey() + ": neuron edit is null");
            }
            if (removedBlocks.contains(e.getKey())) {
                throw new InvalidInputException("block " + e.getKey() + " is removed and also has a neuron edit");
            }
        }
        neurons = Collections.unmodifiableSortedMap(n);
    }

    /** Blocks the output keeps. */
    public int outputBlockCount() {
        return blockCount - removedBlocks.size();
    }

    /** Output index of original block {@code b}: its rank among the kept blocks; -1 when removed. */
    public int outputIndex(int b) {
        if (removedBlocks.contains(b)) {
            return -1;
        }
        return b - removedBlocks.headSet(b).size();
    }

    /** Original indices of the kept blocks, ascending (output block i is original block keptBlocks()[i]). */
    public int[] keptBlocks() {
        int[] out = new int[outputBlockCount()];
        int k = 0;
        for (int b = 0; b < blockCount; b++) {
            if (!removedBlocks.contains(b)) {
                out[k++] = b;
            }
        }
        return out;
    }

    private static void checkBlock(int b, int blockCount, String what) {
        if (b < 0 || b >= blockCount) {
            throw new InvalidInputException("block " + b + " (" + what + ") is outside the model's " + blockCount + " blocks");
        }
    }
}
