package dev.surgeon.ops.mask;

import dev.surgeon.ops.calib.Calibrator;
import dev.surgeon.ops.runner.TransformerRunner;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Block importance for the layer mask: BI = 1 − mean over calibration tokens of cos(block input,
 * block output) on the dense model (as COMP ranks blocks); the K most important blocks are kept.
 */
public final class LayerScores {
    private LayerScores() {
    }

    public static double[] importance(TransformerRunner runner, int[][] windows, int batch) {
        List<INDArray> hidden = Calibrator.embedAll(runner, windows, batch);
        double[] bi = new double[runner.blockCount()];
        try {
            for (int b = 0; b < bi.length; b++) {
                double cos = 0;
                long tokens = 0;
                for (int k = 0; k < hidden.size(); k++) {
                    INDArray in = hidden.get(k);
                    INDArray out = runner.block(b, in);
                    cos += Calibrator.cosineSum(in, out);
                    tokens += in.size(0) * in.size(1);
                    if (in.closeable()) {
                        in.close();
                    }
                    hidden.set(k, out);
                }
                bi[b] = 1 - cos / tokens;
            }
        } finally {
            hidden.forEach(a -> {
                if (a.closeable()) {
                    a.close();
                }
            });
        }
        return bi;
    }

    /** Keep mask of the {@code keep} highest importances (ties: the lower index is kept). */
    public static boolean[] keep(double[] importance, int keep) {
        return HeadScores.keep(importance, keep, 1);
    }
}
