package dev.surgeon.ops.runner;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;

/**
 * x · rsqrt(mean(x²) + eps) · w per row, in one read and one write of each row: ND4J took five
 * passes (square, mean, add, pow, two broadcast multiplies) through memory. The mean of squares is
 * summed in double.
 */
final class RmsNorm {
    private RmsNorm() {
    }

    /** out [N, H] ← rmsnorm of the rows of x [N, H] (both {@link Flat}) with weight w [H]. */
    static void apply(INDArray x, INDArray w, double eps, INDArray out) {
        int width = (int) x.size(1);
        int rows = (int) x.size(0);
        float[] weight = Flat.fits(w) ? w.data().asFloat() : w.dup('c').data().asFloat();
        FloatBuffer src = x.data().asNioFloat();
        FloatBuffer dst = out.data().asNioFloat();
        Parallel.forRange(rows, (from, to) -> {
            float[] row = new float[width];
            for (int r = from; r < to; r++) {
                src.get(r * width, row, 0, width);
                double s0 = 0;
                double s1 = 0;
                int j = 0;
                for (; j + 1 < width; j += 2) {
                    s0 += row[j] * row[j];
                    s1 += row[j + 1] * row[j + 1];
                }
                for (; j < width; j++) {
                    s0 += row[j] * row[j];
                }
                float inv = (float) (1.0 / Math.sqrt((float) ((s0 + s1) / width) + eps));
                for (int k = 0; k < width; k++) {
                    row[k] = row[k] * inv * weight[k];
                }
                dst.put(r * width, row, 0, width);
            }
        });
    }
}
