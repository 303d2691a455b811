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
        float[] stored = ElementReader.readAll(ref);
        for (long r = 0; r < t.rows(); r++) {
            for (long c0 = 0; c0 + m <= t.cols(); c0 += m) {
                int zeros = 0;
                for (long c = c0; c < c0 + m; c++) {
                    zeros += stored[(int) t.storedIndex(r, c)] == 0f ? 1 : 0;
                }
                if (zeros < n) {
                    return new Violation(t.name(), r, c0, zeros);
                }
            }
        }
        return null;
    }
}
