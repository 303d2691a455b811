package dev.surgeon.ops.prune;

/**
 * How one tensor's scores become its mask: the comparison group and the count (per row, per
 * matrix, N:M, or ECoFLaP's per-row counts that make a block's total exact). Scores are the
 * logical [rows, cols] row-major view; lower scores are pruned first ({@link Selection}'s tie rule).
 */
@FunctionalInterface
public interface MaskRule {
    PruneMask select(PrunableTensor tensor, float[] logicalScores);

    /** Every row prunes ⌊cols·ratio⌋. */
    static MaskRule perRow(double ratio) {
        return (RowLocal) (s, rows, cols, m) -> Selection.rows(s, rows, cols, ratio, m);
    }

    /** The matrix prunes ⌊rows·cols·ratio⌋. */
    static MaskRule perMatrix(double ratio) {
        return (t, s) -> {
            PruneMask m = new PruneMask(t.rows(), t.cols());
            Selection.matrix(s, Selection.countOf(t.numel(), ratio), m);
            return m;
        };
    }

    /** N zeros in every M consecutive columns of each row. */
    static MaskRule nm(int n, int m) {
        return (RowLocal) (s, rows, cols, mask) -> Selection.nm(s, rows, cols, n, m, mask);
    }

    /**
     * A rule that decides each row alone (per row, N:M), so it gives the same cut applied to any run
     * of whole rows as to the matrix: a tensor can be scored and cut a few rows at a time.
     */
    @FunctionalInterface
    interface RowLocal extends MaskRule {
        /**
         * Selects in the first rows × cols values of {@code scores} (row-major; the array may be
         * longer) into {@code mask}, of shape [rows, cols].
         */
        void selectRows(float[] scores, int rows, int cols, PruneMask mask);

        @Override
        default PruneMask select(PrunableTensor tensor, float[] logicalScores) {
            PruneMask m = new PruneMask(tensor.rows(), tensor.cols());
            selectRows(logicalScores, (int) tensor.rows(), (int) tensor.cols(), m);
            return m;
        }
    }
}
