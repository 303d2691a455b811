package dev.surgeon.ops.prune;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-row prune counts that make a group of matrices (an ECoFLaP block, or one tensor of a
 * sparsity file) prune exactly P of its n weights while every row stays at sparsity s = P/n:
 * each row of a matrix with c columns prunes ⌊c·P/n⌋ or one more.
 *
 * <p>Where the extra ones go, deterministically: tensor t first gets ⌊r_t·c_t·P/n⌋ − r_t·⌊c_t·P/n⌋
 * extras (its own exact share, rounded down); the few left (fewer than the number of tensors) go
 * one each to the tensors with the largest rounded-off fraction, the earlier tensor first among
 * equals. Inside a tensor, e extras over r rows go to the rows where ⌊(i+1)·e/r⌋ steps up, i.e.
 * evenly spaced. All in integer arithmetic.
 */
public final class BlockRowCounts {
    private BlockRowCounts() {
    }

    /**
     * @param rows  r_t of each matrix
     * @param cols  c_t of each matrix
     * @param prune P, between 0 and n = Σ r_t·c_t
     * @return per matrix, the count of each of its rows
     */
    public static int[][] counts(long[] rows, long[] cols, long prune) {
        int m = rows.length;
        long n = 0;
        for (int t = 0; t < m; t++) {
            n = Math.addExact(n, Math.multiplyExact(rows[t], cols[t]));
        }
        if (prune < 0 || prune > n) {
            throw new IllegalArgumentException("cannot prune " + prune + " of " + n + " weights");
        }
        long[] base = new long[m];
        long[] extras = new long[m];
        long[] fraction = new long[m]; // numerator over n of what ⌊r·c·P/n⌋ rounded off
        long left = prune;
        for (int t = 0; t < m; t++) {
            if (n == 0) {
                break;
            }
            base[t] = Math.multiplyExact(cols[t], prune) / n;
            long share = Math.multiplyExact(Math.multiplyExact(rows[t], cols[t]), prune);
            extras[t] = share / n - rows[t] * base[t];
            fraction[t] = share % n;
            left -= rows[t] * base[t] + extras[t];
        }
        while (left > 0) {
            int best = -1;
            for (int t = 0; t < m; t++) {
                if (extras[t] < rows[t] && (best < 0 || fraction[t] > fraction[best])) {
                    best = t;
                }
            }
            extras[best]++;
            fraction[best] = -1; // one extra per tensor from the leftovers
            left--;
        }
        int[][] out = new int[m][];
        for (int t = 0; t < m; t++) {
            int r = Math.toIntExact(rows[t]);
            out[t] = new int[r];
            for (int i = 0; i < r; i++) {
                long step = (i + 1L) * extras[t] / r - (long) i * extras[t] / r;
                out[t][i] = Math.toIntExact(base[t] + step);
            }
        }
        return out;
    }

    /** One rule per tensor of {@code group}, pruning exactly {@code prune} weights in total. */
    public static Map<String, MaskRule> rules(List<PrunableTensor> group, long prune) {
        long[] rows = new long[group.size()];
        long[] cols = new long[group.size()];
        for (int t = 0; t < rows.length; t++) {
            rows[t] = group.get(t).rows();
            cols[t] = group.get(t).cols();
        }
        int[][] counts = counts(rows, cols, prune);
        Map<String, MaskRule> out = new LinkedHashMap<>();
        for (int t = 0; t < rows.length; t++) {
            int[] c = counts[t];
            out.put(group.get(t).name(), (tensor, scores) -> {
                PruneMask mask = new PruneMask(tensor.rows(), tensor.cols());
                Selection.rows(scores, (int) tensor.rows(), (int) tensor.cols(), r -> c[r], mask);
                return mask;
            });
        }
        return out;
    }
}
