package dev.surgeon.ops.merge;

/**
 * TIES merging (Yadav et al.; the authors' code as in wang-kee/LiNeS {@code src/utils/ties_utils.py}):
 * after each task vector is trimmed ({@link MagnitudeThreshold}) or randomly dropped ({@link Dare}),
 * every coordinate elects a sign ({@link SignElection}) and takes the disjoint mean: the mean of the
 * entries that agree with the elected sign, ignoring zeros and disagreeing entries (0 when none agree).
 * The output is θ_0 + λ·τ_m.
 */
public final class Ties implements TaskVectorCombiner {
    private final int majority;

    /** {@code majority}: the whole-model majority sign from {@link SignElection#majority()}. */
    public Ties(int majority) {
        this.majority = majority;
    }

    @Override
    public void combine(float[][] tau, int tasks, int n, double[] out) {
        // the sign bit of an elected sign of 0 (an exactly cancelling coordinate): + only when the majority is +
        long majorityNegative = majority > 0 ? 0 : 1;
        if (tasks == 2) {
            combineTwo(tau[0], tau[1], n, majorityNegative, out);
            return;
        }
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int t = 0; t < tasks; t++) {
                sum += tau[t][i];
            }
            long bits = Double.doubleToRawLongBits(sum);
            long nonzero = SignElection.nonZero(bits);
            int negative = (int) (((bits >>> 63) & nonzero) | (majorityNegative & (1 - nonzero)));
            out[i] = mean(tau, tasks, i, negative);
        }
    }

    /** {@link #combine} for two task vectors (the common case), unrolled: the same numbers, about twice as fast. */
    private static void combineTwo(float[] a, float[] b, int n, long majorityNegative, double[] out) {
        for (int i = 0; i < n; i++) {
            int xb = Float.floatToRawIntBits(a[i]);
            int yb = Float.floatToRawIntBits(b[i]);
            long bits = Double.doubleToRawLongBits((double) a[i] + b[i]);
            long nonzero = SignElection.nonZero(bits);
            int negative = (int) (((bits >>> 63) & nonzero) | (majorityNegative & (1 - nonzero)));
            int ax = (((xb & 0x7fffffff) + 0x7fffffff) >>> 31) & (1 ^ (xb >>> 31) ^ negative);
            int ay = (((yb & 0x7fffffff) + 0x7fffffff) >>> 31) & (1 ^ (yb >>> 31) ^ negative);
            double sum = (double) Float.intBitsToFloat(xb & -ax) + Float.intBitsToFloat(yb & -ay);
            out[i] = sum * (1.0 - 0.5 * (ax & ay)); // the mean of 0, 1 or 2 agreeing entries, exactly sum / max(count, 1)
        }
    }

    /**
     * Mean of the entries of coordinate i with the elected sign: the positive entries when
     * {@code sign > 0}, else the negative ones (so sign 0, a balanced model, averages the negatives,
     * exactly as the authors' {@code torch.where(sign > 0, tensor > 0, tensor < 0)}); 0 when there are none.
     */
    public static double disjointMean(float[][] tau, int tasks, int i, int sign) {
        return mean(tau, tasks, i, sign > 0 ? 0 : 1);
    }

    /** The disjoint mean over the entries whose sign bit is {@code negative} (1 or 0), zeros excluded; branch-free. */
    private static double mean(float[][] tau, int tasks, int i, int negative) {
        double sum = 0;
        int count = 0;
        for (int t = 0; t < tasks; t++) {
            int bits = Float.floatToRawIntBits(tau[t][i]);
            int nonzero = ((bits & 0x7fffffff) + 0x7fffffff) >>> 31;
            int agrees = nonzero & (1 ^ (bits >>> 31) ^ negative);
            sum += Float.intBitsToFloat(bits & -agrees); // the entry, or +0
            count += agrees;
        }
        return sum / Math.max(count, 1);
    }
}
