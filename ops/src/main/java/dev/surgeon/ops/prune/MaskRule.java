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
        return (t, s) -> {
            PruneMask m = new PruneMask(t.rows(), t.cols());
            Selection.rows(s, (int) t.rows(), (int) t.cols(), ratio, m);
            return m;
        };
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
        return (t, s) -> {
            PruneMask mask = new PruneMask(t.rows(), t.cols());
            Selection.nm(s, (int) t.rows(), (int) t.cols(), n, m, mask);
            return mask;
        };
    }
}
