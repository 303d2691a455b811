package dev.surgeon.ops.prune.comp;

import dev.surgeon.io.error.InvalidInputException;

import java.util.Arrays;

/**
 * Kept MLP neurons of one block: ascending original neuron indices, and the scale folded into
 * down_proj's column of each (null: all 1). Arrays are copied in and out, so a record is immutable.
 */
public record BlockNeurons(int[] kept, float[] scales) {
    public BlockNeurons {
        if (kept == null || kept.length == 0) {
            throw new InvalidInputException("a block must keep at least one MLP neuron");
        }
        for (int i = 0; i < kept.length; i++) {
            if (kept[i] < 0) {
                throw new InvalidInputException("MLP neuron index " + kept[i] + " is negative");
            }
            if (i > 0 && kept[i] <= kept[i - 1]) {
                throw new InvalidInputException("kept MLP neurons must be ascending and distinct; "
                        + kept[i - 1] + " is followed by " + kept[i]);
            }
        }
        if (scales != null && scales.length != kept.length) {
            throw new InvalidInputException(kept.length + " kept MLP neurons but " + scales.length + " scales");
        }
        if (scales != null) {
            for (float s : scales) {
                if (!Float.isFinite(s)) {
                    throw new InvalidInputException("MLP neuron scale " + s + " is not finite");
                }
            }
        }
        kept = kept.clone();
        scales = scales == null ? null : scales.clone();
    }

    /** Keeps {@code kept} unscaled. */
    public static BlockNeurons of(int... kept) {
        return new BlockNeurons(kept, null);
    }

    /** Number of neurons kept: the block's output MLP width. */
    public int width() {
        return kept.length;
    }

    /** The scale of the {@code j}-th kept neuron (1 when there are no scales). */
    public float scale(int j) {
        return scales == null ? 1f : scales[j];
    }

    /** The largest kept index (the input width must exceed it). */
    public int maxIndex() {
        return kept[kept.length - 1];
    }

    @Override
    public int[] kept() {
        return kept.clone();
    }

    @Override
    public float[] scales() {
        return scales == null ? null : scales.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockNeurons b && Arrays.equals(kept, b.kept) && Arrays.equals(scales, b.scales);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(kept) + Arrays.hashCode(scales);
    }

    @Override
    public String toString() {
        return "BlockNeurons[kept=" + kept.length + (scales == null ? "" : ", scaled") + "]";
    }
}
