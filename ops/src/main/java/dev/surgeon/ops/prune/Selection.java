package dev.surgeon.ops.prune;

import dev.surgeon.ops.select.RadixSelect;

import java.util.Arrays;
import java.util.function.IntUnaryOperator;

/**
 * Turns scores into masks with exact counts. Scores are non-negative floats (|W|, |W|·‖X‖, ...),
 * ranked by {@link RadixSelect#key} (NaN ranks highest, so it is pruned last).
 *
 * <p>Tie rule, the same everywhere: the lowest scores are pruned first; among equal scores the one
 * with the lower index (column within a row, row-major flat index within a matrix) is pruned
 * first — the order a stable ascending sort would give. Thresholds come from selection per row or
 * per matrix; nothing sorts a whole model.
 */
public final class Selection {
    private Selection() {
    }

    /**
     * In each row r of the row-major [rows, cols] {@code scores}, prunes exactly
     * {@code countOfRow.applyAsInt(r)} entries (clamped to [0, cols]).
     */
    public static void rows(float[] scores, int rows, int cols, IntUnaryOperator countOfRow, PruneMask mask) {
        check(scores, rows, cols, mask);
        int[] keys = new int[cols];
        for (int r = 0; r < rows; r++) {
            int k = Math.max(0, Math.min(cols, countOfRow.applyAsInt(r)));
            pruneLowest(scores, (long) r * cols, cols, k, keys, mask);
        }
    }

    /**
     * ⌊n·ratio⌋, computed on the ratio's decimal value: in doubles 0.29 × 100 is 28.999999999999996
     * and would floor to 28, one weight short of what the user asked for.
     */
    public static long countOf(long n, double ratio) {
        if (!(ratio >= 0) || n <= 0) {
            return 0;
        }
        return java.math.BigDecimal.valueOf(ratio).multiply(java.math.BigDecimal.valueOf(n))
                .setScale(0, java.math.RoundingMode.FLOOR).longValue();
    }

    /** Every row prunes ⌊cols·ratio⌋ (Wanda's per-output comparison group). */
    public static void rows(float[] scores, int rows, int cols, double ratio, PruneMask mask) {
        int k = (int) countOf(cols, ratio);
        rows(scores, rows, cols, r -> k, mask);
    }

    /**
     * N:M: in each row, every group of {@code m} consecutive columns (aligned at column 0) prunes its
     * {@code n} lowest scores; {@code cols} must be a multiple of m.
     */
    public static void nm(float[] scores, int rows, int cols, int n, int m, PruneMask mask) {
        check(scores, rows, cols, mask);
        if (n < 0 || m <= 0 || n >= m || cols % m != 0) {
            throw new IllegalArgumentException(n + ":" + m + " does not fit " + cols + " columns");
        }
        int[] keys = new int[m];
        long end = (long) rows * cols;
        if (m <= SMALL_GROUP) {
            for (long start = 0; start < end; start += m) {
                pruneLowestOfFew(scores, start, m, n, keys, mask);
            }
            return;
        }
        for (long start = 0; start < end; start += m) {
            pruneLowest(scores, start, m, n, keys, mask);
        }
    }

    /**
     * Groups up to this size are ranked by comparing every pair: 2:4 is 16 comparisons a group, where
     * the radix selection's four counting passes over 256 bins per group made a 3B 2:4 prune take
     * minutes (336 s against 15 s for a per-matrix cut, measured).
     */
    static final int SMALL_GROUP = 32;

    /**
     * {@link #pruneLowest} for a small group: element j is pruned when fewer than k others come
     * before it in a stable ascending sort (a lower key, or the same key at a lower index).
     */
    private static void pruneLowestOfFew(float[] scores, long from, int len, int k, int[] keys, PruneMask mask) {
        if (k == 0) {
            return;
        }
        int f = (int) from;
        for (int j = 0; j < len; j++) {
            keys[j] = RadixSelect.key(scores[f + j]);
        }
        for (int j = 0; j < len; j++) {
            int kj = keys[j];
            int before = 0;
            for (int i = 0; i < len; i++) {
                int ki = keys[i];
                before += ki < kj || ki == kj && i < j ? 1 : 0;
            }
            mask.pruneIf(from + j, before < k);
        }
    }

    /** Prunes exactly the {@code k} lowest scores of the whole matrix (flat index breaks ties). */
    public static void matrix(float[] scores, long k, PruneMask mask) {
        if (scores.length != mask.numel()) {
            throw new IllegalArgumentException("scores and mask differ in size");
        }
        long n = scores.length;
        if (k <= 0) {
            return;
        }
        if (k >= n) {
            for (long i = 0; i < n; i++) {
                mask.prune(i);
            }
            return;
        }
        // the k-th smallest is the (n − k + 1)-th largest
        int t = RadixSelect.key(RadixSelect.kthLargest(scores, n - k + 1));
        long below = 0;
        for (float s : scores) {
            if (RadixSelect.key(s) < t) {
                below++;
            }
        }
        long ties = k - below;
        for (int i = 0; i < scores.length; i++) {
            int key = RadixSelect.key(scores[i]);
            if (key < t) {
                mask.prune(i);
            } else if (key == t && ties > 0) {
                mask.prune(i);
                ties--;
            }
        }
    }

    /** Prunes the k lowest of scores[from .. from+len) (lower index first on ties); keys is scratch ≥ len. */
    private static void pruneLowest(float[] scores, long from, int len, int k, int[] keys, PruneMask mask) {
        if (k == 0) {
            return;
        }
        int f = (int) from;
        if (k >= len) {
            for (int j = 0; j < len; j++) {
                mask.prune(from + j);
            }
            return;
        }
        for (int j = 0; j < len; j++) {
            keys[j] = RadixSelect.key(scores[f + j]);
        }
        // the k-th smallest key by selection (linear time): a row of a wide matrix is thousands of
        // entries, and sorting each row made Wanda's selection the largest cost of a pruning run
        int t = kthSmallest(keys, len, k - 1); // overwrites keys
        int below = 0;
        for (int j = 0; j < len; j++) {
            below += RadixSelect.key(scores[f + j]) < t ? 1 : 0;
        }
        int ties = k - below;
        for (int j = 0; j < len; j++) {
            int key = RadixSelect.key(scores[f + j]);
            if (key < t) {
                mask.prune(from + j);
            } else if (key == t && ties > 0) {
                mask.prune(from + j);
                ties--;
            }
        }
    }

    private static final ThreadLocal<int[]> BYTE_COUNTS = ThreadLocal.withInitial(() -> new int[256]);

    /**
     * The key of rank {@code rank} (0-based) among {@code a[0..len)}, which it overwrites: a radix
     * selection a byte at a time from the top (in signed order), keeping only the candidates of the
     * byte that holds the rank, with branch-free counting and compaction. Linear, with no data-dependent
     * branches: a quickselect's comparisons mispredict on random scores and cost twice as much (measured).
     */
    static int kthSmallest(int[] a, int len, int rank) {
        if (rank < 0 || rank >= len) {
            throw new IndexOutOfBoundsException("rank " + rank + " of " + len);
        }
        int[] count = BYTE_COUNTS.get();
        int n = len;
        for (int shift = 24; shift >= 0; shift -= 8) {
            java.util.Arrays.fill(count, 0);
            for (int i = 0; i < n; i++) {
                count[((a[i] ^ Integer.MIN_VALUE) >>> shift) & 0xFF]++;
            }
            int bucket = 0;
            while (rank >= count[bucket]) {
                rank -= count[bucket];
                bucket++;
            }
            int m = 0;
            for (int i = 0; i < n; i++) {
                int v = a[i];
                a[m] = v;
                m += (((v ^ Integer.MIN_VALUE) >>> shift) & 0xFF) == bucket ? 1 : 0;
            }
            n = m;
        }
        return a[0];
    }

    /** The mask is [rows, cols]; the scores hold at least rows × cols values (a reused array may be longer). */
    private static void check(float[] scores, int rows, int cols, PruneMask mask) {
        if ((long) rows * cols > scores.length || mask.rows() != rows || mask.cols() != cols) {
            throw new IllegalArgumentException("scores [" + rows + ", " + cols + "] do not match the mask ["
                    + mask.rows() + ", " + mask.cols() + "]");
        }
    }
}
