package dev.surgeon.ops.runner;

import java.util.Random;

/** Seeded values for the tiny models the runner and calibration tests build. */
public final class RandomWeights {
    private RandomWeights() {
    }

    /** {@code n} Gaussian values with standard deviation {@code scale}. */
    public static double[] gaussian(Random rnd, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextGaussian() * scale;
        }
        return v;
    }

    /** Norm weights near 1 (1 + 0.2·N(0,1)), so a norm is not the identity. */
    public static double[] norm(Random rnd, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 1 + 0.2 * rnd.nextGaussian();
        }
        return v;
    }

    /** {@code rows} sequences of {@code cols} token ids below {@code vocab}, from {@code seed}. */
    public static int[][] ids(long seed, int rows, int cols, int vocab) {
        Random rnd = new Random(seed);
        int[][] ids = new int[rows][cols];
        for (int[] row : ids) {
            for (int j = 0; j < cols; j++) {
                row[j] = rnd.nextInt(vocab);
            }
        }
        return ids;
    }
}
