package dev.surgeon.ops.merge;

/**
 * TIES's sign election, as the authors' code does it (wang-kee/LiNeS {@code src/utils/ties_utils.py},
 * {@code resolve_sign} and {@code resolve_zero_signs(..., "majority")}): coordinate i gets the sign of
 * Σ_t τ̂_t[i] (the sign of the total mass); where that sum is exactly 0 it gets the majority sign, the
 * sign of Σ_i sign(Σ_t τ̂_t[i]) over every coordinate of the model, i.e. whether more coordinates elected
 * + than −. The majority needs a whole-model pass; this class is that pass's accumulator, and it also
 * gathers the L1 norm of the TIES-merged vector under either majority (LiNeS needs it), so no further
 * pass is needed once the majority is known.
 */
public final class SignElection {
    private final boolean norms;
    private long positive;
    private long negative;
    private long zero;
    private long cancelled;
    private double l1Decided;
    private double l1IfPositive;
    private double l1IfNegative;

    /** {@code norms}: also gather the L1 norm of the merged vector (LiNeS needs it; it costs a disjoint mean per coordinate). */
    public SignElection(boolean norms) {
        this.norms = norms;
    }

    /** The elected sign of a coordinate whose masked task vectors sum to {@code sum}. */
    public static int elect(double sum, int majority) {
        return sum > 0 ? 1 : sum < 0 ? -1 : majority;
    }

    /** Counts the coordinates of a chunk of masked task vectors (and their merged magnitudes). */
    public void add(float[][] tau, int tasks, int n) {
        if (tasks == 2 && !norms) {
            addTwo(tau[0], tau[1], n);
            return;
        }
        long pos = 0;
        long neg = 0;
        long cancel = 0;
        for (int i = 0; i < n; i++) {
            double sum = 0;
            double mass = 0;
            for (int t = 0; t < tasks; t++) {
                float v = tau[t][i];
                sum += v;
                mass += Math.abs(v);
            }
            // branch-free counting: signs of random data defeat the branch predictor
            long bits = Double.doubleToRawLongBits(sum);
            long nonzero = nonZero(bits);
            long negative = (bits >>> 63) & nonzero;
            pos += nonzero - negative;
            neg += negative;
            cancel += (1 - nonzero) & nonZero(Double.doubleToRawLongBits(mass)); // entries that cancel exactly
            if (norms) {
                if (sum != 0) {
                    l1Decided += Math.abs(Ties.disjointMean(tau, tasks, i, sum > 0 ? 1 : -1));
                } else if (mass != 0) {
                    l1IfPositive += Math.abs(Ties.disjointMean(tau, tasks, i, 1));
                    l1IfNegative += Math.abs(Ties.disjointMean(tau, tasks, i, -1));
                }
            }
        }
        positive += pos;
        negative += neg;
        zero += n - pos - neg;
        cancelled += cancel;
    }

    /**
     * Takes back {@code coordinates} that {@link #add} counted as zero-sum because their entries were
     * zeroed while they wait to be counted later ({@link TrimElection} sets uncertain ones aside).
     */
    void notZeroSum(long coordinates) {
        zero -= coordinates;
    }

    /**
     * {@link #add} for two task vectors without norms, in float arithmetic: the float sum x + y has the
     * sign of the exact sum and is 0 only when x = −y (IEEE addition rounds to nearest and underflows
     * gradually), so the counts are those of the double sum, without its conversions.
     */
    private void addTwo(float[] x, float[] y, int n) {
        int pos = 0;
        int neg = 0;
        int cancel = 0;
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToRawIntBits(x[i] + y[i]);
            int nonzero = ((bits & 0x7fffffff) + 0x7fffffff) >>> 31;
            int negative = (bits >>> 31) & nonzero;
            pos += nonzero - negative;
            neg += negative;
            int mass = (Float.floatToRawIntBits(x[i]) | Float.floatToRawIntBits(y[i])) & 0x7fffffff;
            cancel += (1 - nonzero) & ((mass + 0x7fffffff) >>> 31); // entries that cancel exactly
        }
        positive += pos;
        negative += neg;
        zero += n - pos - neg;
        cancelled += cancel;
    }

    /** 1 when the double with these bits is not ±0, else 0. */
    static long nonZero(long bits) {
        return ((bits & Long.MAX_VALUE) + Long.MAX_VALUE) >>> 63;
    }

    /** Adds another accumulator (call in a fixed order: the L1 sums are floating point). */
    public void add(SignElection o) {
        positive += o.positive;
        negative += o.negative;
        zero += o.zero;
        cancelled += o.cancelled;
        l1Decided += o.l1Decided;
        l1IfPositive += o.l1IfPositive;
        l1IfNegative += o.l1IfNegative;
    }

    /**
     * sign(#coordinates electing + minus #electing −): +1, −1, or 0 when they balance; with 0 a
     * zero-sum coordinate averages its negative entries, as the authors' {@code torch.where(sign > 0, ...)} does.
     */
    public int majority() {
        return Long.signum(positive - negative);
    }

    public long positive() {
        return positive;
    }

    public long negative() {
        return negative;
    }

    /** Coordinates whose masked task vectors sum to exactly 0 (they take the majority sign), all-zero ones included. */
    public long zeroSum() {
        return zero;
    }

    /** Zero-sum coordinates with non-zero entries (e.g. +x and −x): the only ones the majority sign changes. */
    public long cancelled() {
        return cancelled;
    }

    /** ‖τ_m‖₁ of the TIES-merged vector (before λ) under {@link #majority()}; only when built with {@code norms}. */
    public double mergedL1() {
        if (!norms) {
            throw new IllegalStateException("built without norms");
        }
        return l1Decided + (majority() > 0 ? l1IfPositive : l1IfNegative);
    }
}
