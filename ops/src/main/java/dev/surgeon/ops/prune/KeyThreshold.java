package dev.surgeon.ops.prune;

import dev.surgeon.ops.select.RadixSelect;

/**
 * A magnitude cut that prunes an exact count: every weight whose key ({@link RadixSelect#key}, i.e.
 * |w|) is below {@code key}, plus the first {@code ties} weights whose key equals it, in the order
 * the weights are visited (logical flat index: {@link Selection}'s tie rule). Applying it is one
 * branch-free pass (a comparison that is true for about half the weights would mispredict half the
 * time); only the rare equal keys take a branch.
 *
 * @param key  the threshold key; {@link RadixSelect#NONE} (above every key) prunes everything
 * @param ties how many weights equal to the threshold are pruned
 */
public record KeyThreshold(long key, long ties) {
    /** Prunes nothing. */
    public static final KeyThreshold NOTHING = new KeyThreshold(0, 0);

    /**
     * The cut that prunes exactly the {@code k} lowest |v| of {@code v[0..n)}: two counting passes
     * ({@link RadixSelect}) and one to count the keys below the threshold. (Measured: a sampled
     * bracket with one pass was slower on BF16 weights, whose many equal keys make the bracket's
     * sort the larger cost.)
     */
    public static KeyThreshold lowest(float[] v, int n, long k) {
        if (k <= 0) {
            return NOTHING;
        }
        if (k >= n) {
            return new KeyThreshold(RadixSelect.NONE, 0);
        }
        // the k-th smallest is the (n − k + 1)-th largest
        RadixSelect s = new RadixSelect((long) n - k + 1);
        long[] counts = RadixSelect.newCounts();
        while (!s.done()) {
            s.count(counts, v, 0, n);
            s.merge(counts);
            s.endPass();
        }
        int t = (int) s.thresholdKey();
        long below = 0;
        for (int i = 0; i < n; i++) {
            below += ((Float.floatToRawIntBits(v[i]) & 0x7fffffff) - t) >>> 31;
        }
        return new KeyThreshold(t, k - below);
    }

    /**
     * Zeroes the pruned weights of {@code v[from..from+n)} in place, in index order, and returns how
     * many it pruned; {@code tiesLeft[0]} is the tie budget, decremented as it is spent (so a
     * tensor can be cut in chunks).
     */
    public static long apply(long key, float[] v, int from, int n, long[] tiesLeft) {
        if (key == RadixSelect.NONE) {
            // k ≥ n: everything goes
            java.util.Arrays.fill(v, from, from + n, 0f);
            return n;
        }
        int t = (int) key;
        long pruned = 0;
        long ties = tiesLeft[0];
        int end = from + n;
        for (int i = from; i < end; i++) {
            int bits = Float.floatToRawIntBits(v[i]);
            int k = bits & 0x7fffffff;
            int below = (k - t) >> 31; // -1 when k < t (keys are non-negative ints)
            if (k == t && ties > 0) {
                below = -1;
                ties--;
            }
            v[i] = Float.intBitsToFloat(bits & ~below);
            pruned -= below;
        }
        tiesLeft[0] = ties;
        return pruned;
    }

    /** Zeroes the pruned weights of the whole array; returns how many. */
    public long apply(float[] v, int n) {
        return apply(key, v, 0, n, new long[] {ties});
    }

    /** The same cut as a mask over a logical [rows, cols] array (for layouts that differ from the logical order). */
    public PruneMask mask(float[] logical, long rows, long cols) {
        PruneMask m = new PruneMask(rows, cols);
        long ties = this.ties;
        for (int i = 0; i < logical.length; i++) {
            int k = Float.floatToRawIntBits(logical[i]) & 0x7fffffff;
            if (key == RadixSelect.NONE || k < key) {
                m.prune(i);
            } else if (k == key && ties > 0) {
                m.prune(i);
                ties--;
            }
        }
        return m;
    }
}
