package dev.surgeon.ops.prune;

import dev.surgeon.io.safetensors.DType;

import java.util.Map;

/**
 * How one prunable tensor is cut, given its values decoded to F32 in their stored layout. The fast
 * cases (a magnitude threshold on a tensor stored [out, in]) work in place on the stored array;
 * every other case goes through the logical [out, in] view and a {@link PruneMask}, so GPT-2's
 * Conv1D weights ([in, out] on disk) are cut by output rows and ranked in logical order.
 */
@FunctionalInterface
public interface TensorPruner {
    /**
     * Zeroes the pruned weights among {@code stored[0..n)} (n = the tensor's element count; the
     * array may be longer) and returns how many weights the method pruned.
     */
    long prune(PrunableTensor t, float[] stored, int n);

    /** Bytes {@link #prune} allocates for {@code t} beyond its values (counted in the memory budget). */
    default long scratchBytes(PrunableTensor t) {
        return 0;
    }

    /** Magnitude per matrix: exactly ⌊n·ratio⌋ lowest |w|, ties to the lower logical flat index. */
    static TensorPruner magnitudeMatrix(double ratio) {
        return new MagnitudeMatrix(ratio);
    }

    /** {@link #magnitudeMatrix}; a 16-bit tensor stored [out, in] is cut in its bytes ({@link HalfMagnitude}). */
    record MagnitudeMatrix(double ratio) implements BytesCut {
        @Override
        public boolean cutsBytes(PrunableTensor t) {
            DType d = t.ref().info().dtype();
            return !t.transposed() && (d == DType.BF16 || d == DType.F16);
        }

        @Override
        public long[] cutBytes(PrunableTensor t, DType dtype, byte[] a, int base) {
            int n = (int) t.numel();
            return HalfMagnitude.cut(a, base, n, Selection.countOf(n, ratio));
        }

        @Override
        public long prune(PrunableTensor t, float[] stored, int n) {
            long k = Selection.countOf(n, ratio);
            if (!t.transposed()) {
                return KeyThreshold.lowest(stored, n, k).apply(stored, n);
            }
            float[] logical = t.toLogical(java.util.Arrays.copyOf(stored, n));
            return applyMask(t, KeyThreshold.lowest(logical, n, k).mask(logical, t.rows(), t.cols()), stored);
        }
    }

    /** A threshold per tensor found over the whole model (magnitude, group global). */
    static TensorPruner thresholds(Map<String, KeyThreshold> cuts) {
        return (t, stored, n) -> {
            KeyThreshold cut = cuts.get(t.name());
            if (!t.transposed()) {
                return cut.apply(stored, n);
            }
            float[] logical = t.toLogical(java.util.Arrays.copyOf(stored, n));
            return applyMask(t, cut.mask(logical, t.rows(), t.cols()), stored);
        };
    }

    /** Scores = |w| (the magnitude), mask by {@code rule} (per row, N:M, ...). */
    static TensorPruner magnitude(MaskRule rule) {
        return new MagnitudeRows(rule);
    }

    /**
     * A pruner that can cut some tensors kept in their stored dtype straight in their bytes, without
     * an F32 copy of the tensor.
     */
    interface BytesCut extends TensorPruner {
        /** Whether {@link #cutBytes} can cut {@code t} kept in its own stored dtype. */
        boolean cutsBytes(PrunableTensor t);

        /**
         * Cuts {@code t}'s elements, stored in {@code a} from {@code base} as {@code dtype}, writing
         * every ±0 as +0; returns {pruned, zeros of the result}.
         */
        long[] cutBytes(PrunableTensor t, DType dtype, byte[] a, int base);
    }

    /** {@link #magnitude}; a named type so a tensor stored [out, in] can be cut in its bytes ({@link RowSlabs}). */
    record MagnitudeRows(MaskRule rule) implements BytesCut {
        @Override
        public long prune(PrunableTensor t, float[] stored, int n) {
            // a row-local rule ranks a tensor stored [out, in] in place (|w| is the key of w); else a
            // logical copy of exactly n values
            float[] logical = RowSlabs.apply(t, rule) ? stored : t.toLogical(java.util.Arrays.copyOf(stored, n));
            return applyMask(t, rule.select(t, logical), stored);
        }

        @Override
        public boolean cutsBytes(PrunableTensor t) {
            return RowSlabs.inBytes(t, rule);
        }

        @Override
        public long[] cutBytes(PrunableTensor t, DType dtype, byte[] a, int base) {
            return RowSlabs.cutBytes(t, rule, RowSlabs.MAGNITUDE, RowSlabs.SLAB, dtype, a, base);
        }

        /** A slab's values and scores when cut in its bytes, or a logical copy of a transposed tensor. */
        @Override
        public long scratchBytes(PrunableTensor t) {
            return RowSlabs.apply(t, rule) ? RowSlabs.scratchBytes(t, RowSlabs.SLAB) : 4L * t.numel();
        }
    }

    /** Masks computed before the write (Wanda, ECoFLaP). */
    static TensorPruner masks(Map<String, PruneMask> masks) {
        return new Masks(masks);
    }

    /** {@link #masks}; a 2- or 4-byte float tensor stored [out, in] has its bytes cleared, undecoded. */
    record Masks(Map<String, PruneMask> masks) implements BytesCut {
        @Override
        public boolean cutsBytes(PrunableTensor t) {
            DType d = t.ref().info().dtype();
            return !t.transposed() && (d == DType.BF16 || d == DType.F16 || d == DType.F32);
        }

        @Override
        public long[] cutBytes(PrunableTensor t, DType dtype, byte[] a, int base) {
            PruneMask m = of(t);
            return new long[] {m.count(), MaskedTensor.clearMasked(a, base, m, (int) t.numel(), dtype.byteWidth())};
        }

        /** The mask of {@code t}. */
        PruneMask of(PrunableTensor t) {
            PruneMask m = masks.get(t.name());
            if (m == null) {
                throw new IllegalStateException("no mask for prunable tensor '" + t.name() + "'");
            }
            if (m.rows() != t.rows() || m.cols() != t.cols()) {
                throw new IllegalStateException("mask [" + m.rows() + ", " + m.cols() + "] for tensor '" + t.name()
                        + "' of logical shape [" + t.rows() + ", " + t.cols() + "]");
            }
            return m;
        }

        @Override
        public long prune(PrunableTensor t, float[] stored, int n) {
            return applyMask(t, of(t), stored);
        }
    }

    /** Zeroes the stored elements of the mask's pruned logical elements; returns the mask's count. */
    static long applyMask(PrunableTensor t, PruneMask m, float[] stored) {
        if (m.rows() != t.rows() || m.cols() != t.cols()) {
            throw new IllegalStateException("mask [" + m.rows() + ", " + m.cols() + "] for tensor '" + t.name()
                    + "' of logical shape [" + t.rows() + ", " + t.cols() + "]");
        }
        if (!t.transposed()) {
            // stored = logical: visit the set bits only, a word at a time
            m.zeroPruned(stored);
            return m.count();
        }
        long pruned = 0;
        int rows = (int) t.rows();
        int cols = (int) t.cols();
        boolean transposed = t.transposed();
        for (int r = 0; r < rows; r++) {
            long rowStart = (long) r * cols;
            for (int c = 0; c < cols; c++) {
                if (m.pruned(rowStart + c)) {
                    stored[transposed ? c * rows + r : (int) rowStart + c] = 0f;
                    pruned++;
                }
            }
        }
        return pruned;
    }
}
