package dev.surgeon.ops.merge;

import dev.surgeon.io.layers.Role;
import dev.surgeon.io.layers.TensorRole;

/**
 * A list of values spread over block depth (SLERP's {@code --t a,b,c}, as mergekit's gradients):
 * block ℓ of L sits at position ℓ/(L − 1) along the list, whose values sit at i/(m − 1), and takes the
 * linear interpolation there; one value is constant. Outside blocks, embeddings take the first value
 * and everything else (final norm, lm_head) the last. With L = 1 the block sits at position 1 (the
 * last value), as LiNeS's λ(ℓ) gives its single block α + β.
 */
public final class DepthSchedule {
    private final double[] values;
    private final int blocks;

    public DepthSchedule(double[] values, int blocks) {
        if (values.length == 0) {
            throw new IllegalArgumentException("empty schedule");
        }
        this.values = values.clone();
        this.blocks = blocks;
    }

    /** The value of block {@code block} (0 ≤ block &lt; L). */
    public double atBlock(int block) {
        double position = blocks <= 1 ? 1.0 : (double) block / (blocks - 1);
        return at(position);
    }

    /** The value of a tensor, by where the layer map puts it. */
    public double of(TensorRole role) {
        if (role.inBlock()) {
            return atBlock(role.block());
        }
        return role.role() == Role.EMBED ? values[0] : values[values.length - 1];
    }

    /** Linear interpolation of the list at {@code position} in [0, 1]. */
    public double at(double position) {
        int m = values.length;
        if (m == 1) {
            return values[0];
        }
        double x = Math.max(0, Math.min(1, position)) * (m - 1);
        int i = (int) Math.floor(x);
        if (i >= m - 1) {
            return values[m - 1];
        }
        double f = x - i;
        return values[i] + f * (values[i + 1] - values[i]);
    }
}
