package dev.surgeon.ops.prune;

import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.layers.TensorRole;

/**
 * A 2-D weight that a pruning method may edit, seen in its logical [out, in] orientation: rows are
 * output features, columns input features (the Linear convention of METHODS.md). GPT-2 Conv1D
 * weights are stored [in, out]; for them {@link #transposed} is true and element (r, c) of the
 * logical view is stored at {@code c·rows + r}.
 *
 * @param ref  the stored tensor
 * @param role its place in the model (block index, role)
 * @param rows output features
 * @param cols input features
 */
public record PrunableTensor(TensorRef ref, TensorRole role, long rows, long cols) {
    public String name() {
        return ref.name();
    }

    /** The Linear this weight belongs to: its name without {@code .weight} (the calibration key). */
    public String linear() {
        String n = name();
        return n.endsWith(".weight") ? n.substring(0, n.length() - ".weight".length()) : n;
    }

    public boolean transposed() {
        return role.transposed();
    }

    public int block() {
        return role.block();
    }

    public long numel() {
        return rows * cols;
    }

    /** Stored flat index of logical element (r, c). */
    public long storedIndex(long r, long c) {
        return transposed() ? c * rows + r : r * cols + c;
    }

    /** The stored row-major array rearranged to the logical [rows, cols] view (a copy when transposed). */
    public float[] toLogical(float[] stored) {
        if (!transposed()) {
            return stored;
        }
        int rs = (int) rows;
        int cs = (int) cols;
        float[] out = new float[stored.length];
        for (int c = 0; c < cs; c++) {
            for (int r = 0; r < rs; r++) {
                out[r * cs + c] = stored[c * rs + r];
            }
        }
        return out;
    }

    /** The inverse of {@link #toLogical}. */
    public float[] toStored(float[] logical) {
        if (!transposed()) {
            return logical;
        }
        int rs = (int) rows;
        int cs = (int) cols;
        float[] out = new float[logical.length];
        for (int r = 0; r < rs; r++) {
            for (int c = 0; c < cs; c++) {
                out[c * rs + r] = logical[r * cs + c];
            }
        }
        return out;
    }
}
