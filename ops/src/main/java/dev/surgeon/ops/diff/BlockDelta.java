package dev.surgeon.ops.diff;

/**
 * The change of one block, aggregated over its tensors' sums of squares: ‖Δ‖ and ‖A‖ of the block
 * taken as one vector, their ratio and the cosine.
 */
public record BlockDelta(int index, int tensors, double sumSqDelta, double sumSqA, double sumSqB, double dot) {

    public double normDelta() {
        return Math.sqrt(sumSqDelta);
    }

    public double normA() {
        return Math.sqrt(sumSqA);
    }

    public double relative() {
        return Similarity.relative(sumSqDelta, sumSqA);
    }

    public double cosine() {
        return Similarity.cosine(dot, sumSqA, sumSqB);
    }

    /** This block with one more tensor's sums added. */
    public BlockDelta plus(TensorDelta t) {
        return new BlockDelta(index, tensors + 1, sumSqDelta + t.sumSqDelta(), sumSqA + t.sumSqA(),
                sumSqB + t.sumSqB(), dot + t.dot());
    }
}
