package dev.surgeon.ops.calib;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Activation statistics of a model on calibration data (what {@code surgeon calibrate} writes and
 * {@link StatsFormat#read} returns): per Linear, the per-input-channel sum of squares of its input
 * and the number of tokens summed, optionally the Gram matrix XᵀX of its input; per block, the mean
 * cosine similarity between the block's input and output hidden vectors. Sums are in double.
 *
 * @param linears      by Linear name (its weight name without {@code .weight}), sorted
 * @param blockCosine  mean input/output cosine of each block, in block order
 * @param metadata     the file's {@code __metadata__} (format, version, model, data, ...), sorted
 */
public record ActivationStats(Map<String, Linear> linears, double[] blockCosine, Map<String, String> metadata) {
    public ActivationStats {
        linears = Collections.unmodifiableMap(new TreeMap<>(linears));
        blockCosine = blockCosine.clone();
        metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
    }

    @Override
    public double[] blockCosine() {
        return blockCosine.clone();
    }

    /** The statistics of one Linear, or null when there are none. */
    public Linear linear(String name) {
        return linears.get(name);
    }

    /**
     * One Linear's input statistics.
     *
     * @param sqSum  Σ over tokens of x_j², per input channel j (length in_features)
     * @param tokens tokens summed
     * @param gram   XᵀX row-major [in, in], or null when not collected
     */
    public record Linear(double[] sqSum, long tokens, double[] gram) {
        public Linear {
            if (gram != null && gram.length != (long) sqSum.length * sqSum.length) {
                throw new IllegalArgumentException("gram must be [" + sqSum.length + ", " + sqSum.length + "]");
            }
        }

        public int inFeatures() {
            return sqSum.length;
        }

        /** ‖X_j‖₂ per input channel: √(Σ x_j²), what Wanda and ECoFLaP weigh |W| by. */
        public double[] norms() {
            double[] n = new double[sqSum.length];
            for (int j = 0; j < n.length; j++) {
                n[j] = Math.sqrt(sqSum[j]);
            }
            return n;
        }
    }
}
