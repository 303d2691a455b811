package dev.surgeon.ops.structure;

import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.error.NumericGuardException;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.TensorContent;
import dev.surgeon.io.write.TensorSink;
import dev.surgeon.ops.content.Scratch;
import dev.surgeon.ops.exec.ElementReader;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A stored [rows, cols] tensor (a vector is [n, 1]) cut to some of its rows and columns, each kept
 * column multiplied by its scale, decoded to F32 and encoded once to the output dtype (round to
 * nearest even). It streams: a few source rows and one output chunk are held at a time, never the
 * tensor, so any size works. gate/up_proj keep rows (and their bias entries), down_proj keeps
 * scaled columns (COMP); attention heads keep or zero rows of q/k/v and columns of o_proj, and a
 * weight mask zeroes single elements ({@code surgeon mask apply}). One streaming slicer for both,
 * so row/column bookkeeping exists once.
 */
public final class SlicedMatrix implements TensorContent {
    /** Elements per read and per output chunk. */
    private static final int CHUNK = 1 << 18;

    private final TensorRef source;
    private final DType out;
    private final long cols;
    private final int[] rows;
    private final int[] keptCols;
    private final float[] colScales;
    private final float[] rowScales;
    private final byte[] keep;

    /**
     * @param rows      source rows to keep, ascending (every row of the output, in order)
     * @param keptCols  source columns to keep, ascending; null keeps all
     * @param colScales scale of each kept column; null for none
     */
    public SlicedMatrix(TensorRef source, DType out, long cols, int[] rows, int[] keptCols, float[] colScales) {
        this(source, out, cols, rows, keptCols, colScales, null, null);
    }

    /**
     * As above, and
     * @param rowScales scale of each kept row (0 zeroes it); null for none
     * @param keep      per source element (row-major) 0 to zero it, else keep; null for none
     */
    public SlicedMatrix(TensorRef source, DType out, long cols, int[] rows, int[] keptCols, float[] colScales,
                        float[] rowScales, byte[] keep) {
        this.source = source;
        this.out = out;
        this.cols = cols;
        this.rows = rows;
        this.keptCols = keptCols;
        this.colScales = colScales;
        this.rowScales = rowScales;
        this.keep = keep;
    }

    /** Every row of a [rows, ...] tensor. */
    public static int[] allRows(long n) {
        int[] r = new int[Math.toIntExact(n)];
        for (int i = 0; i < r.length; i++) {
            r[i] = i;
        }
        return r;
    }

    @Override
    public void writeTo(TensorSink sink) throws IOException {
        int c = Math.toIntExact(cols);
        int width = keptCols == null ? c : keptCols.length;
        // whole rows per read: consecutive kept rows come in one positioned read
        int rowsPerRead = Math.max(1, CHUNK / c);
        ElementReader reader = new ElementReader(source, rowsPerRead * c);
        float[] in = new float[rowsPerRead * c];
        float[] result = new float[Math.max(width, CHUNK / width * width)];
        ByteBuffer bytes = Scratch.get(result.length * out.byteWidth());
        int filled = 0;
        for (int i = 0; i < rows.length; ) {
            int run = 1;
            while (i + run < rows.length && run < rowsPerRead && rows[i + run] == rows[i] + run) {
                run++;
            }
            reader.readFloats((long) rows[i] * c, run * c, in, 0);
            for (int r = 0; r < run; r++) {
                if (filled + width > result.length) {
                    flush(sink, result, filled, bytes);
                    filled = 0;
                }
                select(in, r * c, result, filled, width, rows[i + r], i + r);
                filled += width;
            }
            i += run;
        }
        flush(sink, result, filled, bytes);
    }

    /** Kept columns of the source row at {@code from} into {@code dst[at..at+width)}, scaled. */
    private void select(float[] in, int from, float[] dst, int at, int width, int row, int outRow) {
        float rs = rowScales == null ? 1f : rowScales[outRow];
        long base = (long) row * cols;
        for (int j = 0; j < width; j++) {
            int col = keptCols == null ? j : keptCols[j];
            float x = in[from + col];
            float v = colScales == null ? x : x * colScales[j];
            if (rowScales != null) {
                v *= rs;
            }
            // a zero scale or a masked element is an exact +0, also for ±Inf or NaN weights
            if (rs == 0f || (colScales != null && colScales[j] == 0f) || (keep != null && keep[(int) (base + col)] == 0)) {
                v = 0f;
            }
            if (!Float.isFinite(v) && Float.isFinite(x)) {
                throw new NumericGuardException("tensor '" + source.name() + "': row " + row + ", kept column " + j
                        + " became " + v + " when scaled");
            }
            dst[at + j] = v;
        }
    }

    private void flush(TensorSink sink, float[] values, int n, ByteBuffer bytes) throws IOException {
        if (n == 0) {
            return;
        }
        bytes.clear();
        ElementCodec.encode(out, values, 0, n, bytes);
        bytes.flip();
        sink.write(bytes);
    }
}
