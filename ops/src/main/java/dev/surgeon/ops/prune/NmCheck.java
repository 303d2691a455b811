package dev.surgeon.ops.prune;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.ops.exec.ElementReader;
import dev.surgeon.ops.exec.OrderedParallel;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks an N:M output as written: re-reads every pruned tensor from the output and counts, in each
 * logical row, every aligned group of M consecutive input columns; each must hold at least N zeros.
 */
public final class NmCheck {
    private NmCheck() {
    }

    /** One group that broke the pattern. */
    public record Violation(String tensor, long row, long firstColumn, int zeros) {
        @Override
        public String toString() {
            return "tensor '" + tensor + "' row " + row + " columns " + firstColumn + ".. holds " + zeros + " zeros";
        }
    }

    /** The first violation of each tensor that has one (empty: the output is valid N:M). */
    public static List<Violation> check(Checkpoint written, List<PrunableTensor> targets, int n, int m, int threads) {
        List<Violation> all = new ArrayList<>();
        for (Violation v : OrderedParallel.map(targets, threads, t -> first(written, t, n, m))) {
            if (v != null) {
                all.add(v);
            }
        }
        return all;
    }

    private static Violation first(Checkpoint written, PrunableTensor target, int n, int m) {
        TensorRef ref = written.tensor(target.name());
        if (ref == null) {
            return new Violation(target.name(), -1, -1, 0);
        }
        // the written tensor with the target's logical view (its role says whether it is transposed)
        PrunableTensor t = new PrunableTensor(ref, target.role(), target.rows(), target.cols());
        int cols = (int) t.cols();
        if (t.transposed()) {
            return firstIn(t.toLogical(ElementReader.readAll(ref)), 0, (int) t.rows(), cols, n, m, t.name());
        }
        // stored [out, in]: whole rows a slab at a time (groups lie within a row), so no tensor is held
        // whole (at 3B each was 100 MB, allocated per tensor, and the garbage grew the heap past 1 GB)
        ElementReader reader = new ElementReader(ref);
        int per = (int) Math.max(1, Math.min(t.rows(), ElementReader.BLOCK / cols));
        float[] slab = new float[per * cols];
        for (long r0 = 0; r0 < t.rows(); r0 += per) {
            int rows = (int) Math.min(per, t.rows() - r0);
            reader.readFloats(r0 * cols, rows * cols, slab, 0);
            Violation v = firstIn(slab, r0, rows, cols, n, m, t.name());
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /** The first group with fewer than n zeros among {@code rows} logical rows (from row {@code row0}) of {@code values}. */
    private static Violation firstIn(float[] values, long row0, int rows, int cols, int n, int m, String name) {
        for (int r = 0; r < rows; r++) {
            for (int c0 = 0; c0 + m <= cols; c0 += m) {
                int zeros = 0;
                for (int c = c0; c < c0 + m; c++) {
                    zeros += values[r * cols + c] == 0f ? 1 : 0;
                }
                if (zeros < n) {
                    return new Violation(name, row0 + r, c0, zeros);
                }
            }
        }
        return null;
    }
}
