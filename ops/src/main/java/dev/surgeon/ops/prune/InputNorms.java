package dev.surgeon.ops.prune;

import dev.surgeon.ops.calib.ChannelSquares;
import dev.surgeon.ops.runner.BlockTap;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.Map;

/**
 * A calibration tap that sums, per Linear and input channel j, x_j² over the tokens it sees (in
 * double): Wanda's ‖X_j‖₂². Linears that share an input array (q/k/v, gate/up) share one pass.
 */
final class InputNorms implements BlockTap {
    private final Map<String, double[]> sums = new HashMap<>();
    private INDArray lastInput;
    private double[] lastSums;

    @Override
    public void input(String linear, INDArray x) {
        if (x.rank() != 2) {
            throw new IllegalStateException("tap input of " + linear + " must be [B·T, in]");
        }
        if (x != lastInput) {
            lastInput = x;
            lastSums = ChannelSquares.of(x);
        }
        double[] s = sums.computeIfAbsent(linear, k -> new double[lastSums.length]);
        if (s.length != lastSums.length) {
            throw new IllegalStateException(linear + ": input width changed from " + s.length + " to " + lastSums.length);
        }
        for (int j = 0; j < s.length; j++) {
            s[j] += lastSums[j];
        }
    }

    /** Forgets the shared-input shortcut (call after each block run: the runner reuses memory). */
    void endOfRun() {
        lastInput = null;
        lastSums = null;
    }

    /** Σ x_j² of {@code linear}'s inputs so far, or null when it was never seen. */
    double[] sums(String linear) {
        return sums.get(linear);
    }
}
