package dev.surgeon.ops.prune.comp;

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
 * scaled columns.
 */
final class SlicedMatrix implements TensorContent {
    /** Elements per read and per output chunk. */
    private static final int CHUNK = 1 << 18;

    private final TensorRef source;
    private final DType out;
    private final long cols;
    private final int[] rows;
    private final int[] keptCols;
    private final float[] colScales;

    /**
     * @param rows      source rows to keep, ascending (every row of the output, in order)
     * @param keptCols  source columns to keep, ascending; null keeps all
     * @param colScales scale of each kept column; null for none
     */
    SlicedMatrix(TensorRef source, DType out, long cols, int[] rows, int[] keptCols, float[] colScales) {
        this.source = source;
        this.out = out;
        this.cols = cols;
        this.rows = rows;
        this.keptCols = keptCols;
        this.colScales = colScales;
    }

    /** Every row of a [rows, ...] tensor. */
    static int[] allRows(long n) {
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
                select(in, r * c, result, filled, width, rows[i + r]);
                filled += width;
            }
            i += run;
        }
        flush(sink, result, filled, bytes);
    }

    /** Kept columns of the source row at {@code from} into {@code dst[at..at+width)}, scaled. */
    private void select(float[] in, int from, float[] dst, int at, int width, int row) {
        for (int j = 0; j < width; j++) {
            float x = in[from + (keptCols == null ? j : keptCols[j])];
            float v = colScales == null ? x : x * colScales[j];
            if (!Float.isFinite(v) && Float.isFinite(x)) {
                throw new NumericGuardException("tensor '" + source.name() + "': row " + row + ", kept column " + j
                        + " became " + v + " when scaled by " + colScales[j]);
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
