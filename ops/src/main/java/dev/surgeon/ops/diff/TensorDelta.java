package dev.surgeon.ops.diff;

import dev.surgeon.io.layers.Role;
import dev.surgeon.io.safetensors.DType;

/**
 * How one tensor present in both models with the same shape differs: the sums (all in double,
 * over decoded values, so the two dtypes may differ) and the ratios derived from them.
 *
 * @param block block index in model A's layer map, or -1 outside blocks
 */
public record TensorDelta(String name, DType dtypeA, DType dtypeB, long[] shape, long numel, int block, Role role,
                          double sumSqDelta, double sumSqA, double sumSqB, double dot, double maxAbsDelta) {
    public TensorDelta {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** ‖A − B‖₂. */
    public double normDelta() {
        return Math.sqrt(sumSqDelta);
    }

    /** ‖A‖₂. */
    public double normA() {
        return Math.sqrt(sumSqA);
    }

    /** ‖B‖₂. */
    public double normB() {
        return Math.sqrt(sumSqB);
    }

    /** ‖A − B‖ / ‖A‖ (0 for 0/0, +Infinity for x/0). */
    public double relative() {
        return Similarity.relative(sumSqDelta, sumSqA);
    }

    /** cos(A, B) (1 when both are zero, 0 when one is). */
    public double cosine() {
        return Similarity.cosine(dot, sumSqA, sumSqB);
    }

    /** True when every element decoded to the same value (a zero or NaN-free zero delta). */
    public boolean identical() {
        return sumSqDelta == 0;
    }
}
