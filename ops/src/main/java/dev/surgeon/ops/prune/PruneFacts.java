package dev.surgeon.ops.prune;

import dev.surgeon.io.safetensors.DType;

/**
 * What pruning did to one tensor, for the report: how many weights the method pruned, and how many
 * elements of the written tensor are zero (its sparsity as {@code inspect --stats} reads it). The
 * two differ only when the input already held zeros the method did not pick, or when a cast to a
 * narrower {@code --dtype} flushed tiny weights to zero. Filled in when the tensor is written.
 */
public final class PruneFacts {
    private final PrunableTensor tensor;
    private final DType dtype;
    private volatile long pruned = -1;
    private volatile long zeros = -1;

    PruneFacts(PrunableTensor tensor, DType dtype) {
        this.tensor = tensor;
        this.dtype = dtype;
    }

    public PrunableTensor tensor() {
        return tensor;
    }

    /** The output dtype. */
    public DType dtype() {
        return dtype;
    }

    public long numel() {
        return tensor.numel();
    }

    /** Weights the method pruned; -1 until written. */
    public long pruned() {
        return pruned;
    }

    /** Zero elements of the written tensor; -1 until written. */
    public long zeros() {
        return zeros;
    }

    public boolean written() {
        return zeros >= 0;
    }

    /** Fraction of the written tensor that is zero. */
    public double sparsity() {
        return numel() == 0 ? 0 : (double) Math.max(0, zeros) / numel();
    }

    void record(long pruned, long zeros) {
        this.pruned = pruned;
        this.zeros = zeros;
    }
}
