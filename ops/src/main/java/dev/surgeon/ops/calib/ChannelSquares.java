package dev.surgeon.ops.calib;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;

/** Per input channel j, Σ over the rows of x_j² (in double) of a Linear's input [rows, in]. */
public final class ChannelSquares {
    private ChannelSquares() {
    }

    public static double[] of(INDArray x) {
        INDArray c = x.isView() || x.ordering() != 'c' || x.dataType() != DataType.FLOAT
                ? x.castTo(DataType.FLOAT).dup('c') : x;
        if (c.length() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("one batch's activations exceed 2^31 elements; use a smaller batch");
        }
        int in = (int) c.size(1);
        long rows = c.size(0);
        FloatBuffer f = c.data().asNioFloat();
        double[] s = new double[in];
        for (long r = 0; r < rows; r++) {
            int base = (int) (r * in);
            for (int j = 0; j < in; j++) {
                double v = f.get(base + j);
                s[j] += v * v;
            }
        }
        if (c != x && c.closeable()) {
            c.close();
        }
        return s;
    }
}
