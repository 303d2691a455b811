package dev.surgeon.ops.prune;

import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.safetensors.DType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A row-local rule ({@link MaskRule.RowLocal}: per row, N:M) applied to a tensor stored [out, in] a
 * slab of whole rows at a time: scores are held for one slab only, and a tensor kept in its dtype
 * (BF16, F16, F32) is cut in its bytes with no F32 copy of it. The cut equals the rule applied to the
 * whole tensor. Shared by Wanda's write-pass cut and magnitude by row or N:M: at 3B a scores array
 * and an F32 copy of each tensor were 100 MB each, allocated per tensor, and their garbage grew the
 * heap to 1 GB.
 */
final class RowSlabs {
    /** Values scored at a time: the slab's values and scores stay in the core's cache. */
    static final int SLAB = 1 << 15;

    /** Fills {@code out[0..len)} with the scores of {@code v[from..from+len)}, whole rows. */
    @FunctionalInterface
    interface Scorer {
        void score(float[] v, int from, int len, float[] out);
    }

    /** Magnitude: the values rank themselves (the selection's key is |w|). */
    static final Scorer MAGNITUDE = (v, from, len, out) -> System.arraycopy(v, from, out, 0, len);

    private RowSlabs() {
    }

    /** Whether {@code rule} on {@code t} can be applied a slab of rows at a time. */
    static boolean apply(PrunableTensor t, MaskRule rule) {
        return !t.transposed() && rule instanceof MaskRule.RowLocal;
    }

    /** Whether, kept in its stored dtype, {@code t} can also be cut in its bytes. */
    static boolean inBytes(PrunableTensor t, MaskRule rule) {
        DType d = t.ref().info().dtype();
        return apply(t, rule) && (d == DType.BF16 || d == DType.F16 || d == DType.F32);
    }

    /** The F32 values and scores of one slab. */
    static long scratchBytes(PrunableTensor t, int slabElements) {
        return 8L * slabRows(t, slabElements) * t.cols();
    }

    private static int slabRows(PrunableTensor t, int slabElements) {
        return (int) Math.max(1, Math.min(t.rows(), slabElements / t.cols()));
    }

    /** Cuts {@code stored} (F32, the tensor's n values first) in place; returns the weights pruned. */
    static long cut(PrunableTensor t, MaskRule rule, Scorer scorer, int slabElements, float[] stored) {
        return cut(t, (MaskRule.RowLocal) rule, scorer, slabElements, stored, null, 0, null)[0];
    }

    /**
     * Cuts the tensor's elements stored in {@code a} from {@code base} as {@code dtype} (see
     * {@link #inBytes}), writing every ±0 as +0 as the decoded path does; returns {pruned, zeros of
     * the result}.
     */
    static long[] cutBytes(PrunableTensor t, MaskRule rule, Scorer scorer, int slabElements, DType dtype, byte[] a,
                           int base) {
        return cut(t, (MaskRule.RowLocal) rule, scorer, slabElements, null, a, base, dtype);
    }

    /** From {@code stored} (zeroed in place), or else from the bytes of {@code a} (cleared in place). */
    private static long[] cut(PrunableTensor t, MaskRule.RowLocal rule, Scorer scorer, int slabElements,
                              float[] stored, byte[] a, int base, DType dtype) {
        int rows = (int) t.rows();
        int cols = (int) t.cols();
        int per = slabRows(t, slabElements);
        float[] values = stored == null ? new float[per * cols] : null;
        float[] scores = new float[per * cols];
        int width = dtype == null ? 4 : dtype.byteWidth();
        long pruned = 0;
        long zeros = 0;
        for (int r0 = 0; r0 < rows; r0 += per) {
            int r = Math.min(per, rows - r0);
            int len = r * cols;
            int from = r0 * cols;
            if (stored == null) {
                ByteBuffer bytes = ByteBuffer.wrap(a, base + from * width, len * width).order(ByteOrder.LITTLE_ENDIAN);
                ElementCodec.decode(dtype, bytes, values, 0, len);
                scorer.score(values, 0, len, scores);
            } else {
                scorer.score(stored, from, len, scores);
            }
            PruneMask mask = new PruneMask(r, cols);
            rule.selectRows(scores, r, cols, mask);
            pruned += mask.count();
            if (stored == null) {
                zeros += MaskedTensor.clearMasked(a, base + from * width, mask, len, width);
            } else {
                mask.zeroPruned(stored, from);
            }
        }
        return new long[] {pruned, zeros};
    }
}
