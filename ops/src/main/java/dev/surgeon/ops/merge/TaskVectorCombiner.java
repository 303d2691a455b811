package dev.surgeon.ops.merge;

/** How a merge turns the (masked) task vectors of a chunk into one merged task vector τ_MTL, before λ. */
@FunctionalInterface
public interface TaskVectorCombiner {
    /** {@code out[i]} = τ_MTL at element i, for i &lt; n, from {@code tau[0..tasks)[i]}. */
    void combine(float[][] tau, int tasks, int n, double[] out);
}
