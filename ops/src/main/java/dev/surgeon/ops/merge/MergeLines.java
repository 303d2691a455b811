package dev.surgeon.ops.merge;

import dev.surgeon.ops.scale.Lines;

/**
 * LiNeS on a multi-task merge (METHODS.md, "LiNeS", multi-task; wang-kee/LiNeS {@code src/eval/eval.py}):
 * the merged task vector τ_MTL (before λ) is scaled per block by λ(ℓ) = α + β·ℓ/(L−1) (the schedule of
 * {@link Lines}: α outside blocks, α + β for a single block), with
 * α = (1/T)·‖Σ_t τ_t‖₁ / ‖τ_MTL‖₁, L1 norms over the whole model and Σ_t τ_t over the untrimmed,
 * unweighted task vectors: exactly 1/T for plain task arithmetic.
 */
public final class MergeLines {
    private MergeLines() {
    }

    /**
     * α from the two whole-model L1 norms. A zero merged vector (nothing survives, or the models equal
     * the base) gives 1/T: the output is the base whatever α is.
     */
    public static double alpha(int tasks, double l1SumOfTaskVectors, double l1Merged) {
        if (l1Merged == 0 || !Double.isFinite(l1SumOfTaskVectors / l1Merged)) {
            return 1.0 / tasks;
        }
        return l1SumOfTaskVectors / l1Merged / tasks;
    }

    /**
     * α of task arithmetic with every coefficient equal to c: τ_MTL = c·Σ_t τ_t, so α = 1/(T·|c|),
     * which is 1/T for plain task arithmetic; known without a pass (c = 0: 1/T, as above).
     */
    public static double uniformAlpha(int tasks, double c) {
        return c == 0 ? 1.0 / tasks : 1.0 / (tasks * Math.abs(c));
    }

    /** The per-block schedule λ(ℓ) = α + β·ℓ/(L−1), shared with {@code surgeon scale}. */
    public static Lines schedule(double alpha, double beta, int blockCount) {
        return Lines.of(alpha, beta, blockCount);
    }
}
