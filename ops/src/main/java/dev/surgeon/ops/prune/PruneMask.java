package dev.surgeon.ops.prune;

import java.util.Arrays;

/**
 * Which weights of one prunable matrix are pruned (set to zero): one bit per element of its
 * logical [out, in] view, row-major, whatever the stored layout (GPT-2 Conv1D weights are stored
 * [in, out]; {@link PrunableTensor#storedIndex} maps between the two). One bit a weight keeps the
 * masks of a whole model at 1/32 of its F32 size.
 */
public final class PruneMask {
    private final long rows;
    private final long cols;
    private final long[] bits;

    public PruneMask(long rows, long cols) {
        if (rows < 0 || cols < 0 || rows * cols > (long) Integer.MAX_VALUE * 64) {
            throw new IllegalArgumentException("mask shape [" + rows + ", " + cols + "] out of range");
        }
        this.rows = rows;
        this.cols = cols;
        this.bits = new long[(int) ((rows * cols + 63) >>> 6)];
    }

    public long rows() {
        return rows;
    }

    public long cols() {
        return cols;
    }

    public long numel() {
        return rows * cols;
    }

    /** Marks logical element {@code r·cols + c} (flat index {@code i}) as pruned. */
    public void prune(long i) {
        bits[(int) (i >>> 6)] |= 1L << i;
    }

    /** Marks element {@code i} when {@code cut}, without a branch on it (half of a 2:4 group's elements are cut, in no order). */
    public void pruneIf(long i, boolean cut) {
        bits[(int) (i >>> 6)] |= (long) (cut ? 1 : 0) << i;
    }

    public void prune(long row, long col) {
        prune(row * cols + col);
    }

    public boolean pruned(long i) {
        return (bits[(int) (i >>> 6)] & (1L << i)) != 0;
    }

    public boolean pruned(long row, long col) {
        return pruned(row * cols + col);
    }

    /** The mask's bits, element i at bit i % 64 of word i / 64 (not a copy: read only). */
    long[] words() {
        return bits;
    }

    /** Number of pruned elements. */
    public long count() {
        long n = 0;
        for (long w : bits) {
            n += Long.bitCount(w);
        }
        return n;
    }

    /** Pruned elements in logical row {@code r}. */
    public long countRow(long r) {
        long n = 0;
        for (long c = 0; c < cols; c++) {
            if (pruned(r, c)) {
                n++;
            }
        }
        return n;
    }

    /** Fraction of elements pruned (0 for an empty matrix). */
    public double sparsity() {
        return numel() == 0 ? 0 : (double) count() / numel();
    }

    /** Zeroes the pruned elements of {@code logical}, a row-major [rows, cols] array. */
    public void apply(float[] logical) {
        if (logical.length != numel()) {
            throw new IllegalArgumentException("array of " + logical.length + " elements for a mask of " + numel());
        }
        zeroPruned(logical);
    }

    /** Zeroes the pruned elements among the first {@link #numel()} of {@code values} (a reused array may be longer). */
    public void zeroPruned(float[] values) {
        zeroPruned(values, 0);
    }

    /** Zeroes {@code values[from + i]} for each pruned element i (the mask of a run of rows inside a larger array). */
    public void zeroPruned(float[] values, int from) {
        if (values.length - from < numel()) {
            throw new IllegalArgumentException("array of " + (values.length - from) + " elements from " + from
                    + " for a mask of " + numel());
        }
        for (int w = 0; w < bits.length; w++) {
            long word = bits[w];
            while (word != 0) {
                int b = Long.numberOfTrailingZeros(word);
                values[from + (w << 6) + b] = 0f;
                word &= word - 1;
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PruneMask m && m.rows == rows && m.cols == cols && Arrays.equals(m.bits, bits);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bits) * 31 + Long.hashCode(rows * 131 + cols);
    }
}
