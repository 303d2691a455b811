package dev.surgeon.ops.diff;

/**
 * The conventions diff uses to turn sums into ratios without producing NaN from zeros:
 * relative change ‖Δ‖/‖A‖ is 0 for 0/0 and +Infinity for x/0; cosine similarity is 1 when both
 * vectors are zero and 0 when only one is. NaN in the data still gives NaN (it is reported, not hidden).
 */
public final class Similarity {
    private Similarity() {
    }

    /** ‖Δ‖/‖A‖ from Σ(a−b)² and Σa². */
    public static double relative(double sumSqDelta, double sumSqA) {
        double nd = Math.sqrt(sumSqDelta);
        double na = Math.sqrt(sumSqA);
        if (na == 0) {
            return nd == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return nd / na;
    }

    /** cos(A, B) from Σab, Σa², Σb², clamped to [−1, 1] against rounding. */
    public static double cosine(double dot, double sumSqA, double sumSqB) {
        if (sumSqA == 0 && sumSqB == 0) {
            return 1;
        }
        if (sumSqA == 0 || sumSqB == 0) {
            return 0;
        }
        double c = dot / (Math.sqrt(sumSqA) * Math.sqrt(sumSqB));
        if (c > 1) {
            return 1;
        }
        if (c < -1) {
            return -1;
        }
        return c;
    }
}
