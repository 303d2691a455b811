package dev.surgeon.ops.prune.comp;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The OBS saliency ‖w_j‖²/[G⁻¹]_jj is the error per token left when neuron j goes and the others'
 * down-projection weights are refitted by least squares: checked against that refit done directly
 * (normal equations solved by Gaussian elimination), with no damping.
 */
class NeuronImportanceTest {
    @Test
    void saliencyEqualsTheErrorOfTheBestRefitWithoutTheNeuron() {
        Random rnd = new Random(2);
        double[][] h = MaskTuningTest.activations(rnd);
        float[] w = MaskTuningTest.down(rnd);
        int n = MaskTuningTest.N;
        int d = MaskTuningTest.D;
        double[] g = MaskTuningTest.gramSum(h);
        int[] all = new int[n];
        for (int j = 0; j < n; j++) {
            all[j] = j;
        }
        double[] s = NeuronImportance.obs(g, h.length, DenseMatrix.columnSquares(w, d, n), n, all, 0);
        for (int j = 0; j < n; j++) {
            assertThat(s[j]).isCloseTo(refitError(h, w, j), within(1e-6 * (1 + s[j])));
        }
        // the nearly dependent neuron 9 (and its partners 0, 1) are the cheapest to lose
        int lowest = 0;
        for (int j = 1; j < n; j++) {
            if (s[j] < s[lowest]) {
                lowest = j;
            }
        }
        assertThat(lowest).isIn(0, 1, 9);
    }

    @Test
    void dampingOnlyLowersScoresSlightly() {
        Random rnd = new Random(4);
        double[][] h = MaskTuningTest.activations(rnd);
        float[] w = MaskTuningTest.down(rnd);
        int n = MaskTuningTest.N;
        double[] g = MaskTuningTest.gramSum(h);
        int[] among = {0, 3, 4, 9};
        double[] col = DenseMatrix.columnSquares(w, MaskTuningTest.D, n);
        double[] exact = NeuronImportance.obs(g, h.length, col, n, among, 0);
        double[] damped = NeuronImportance.obs(g, h.length, col, n, among);
        for (int i = 0; i < among.length; i++) {
            assertThat(damped[i]).isGreaterThan(0).isGreaterThanOrEqualTo(exact[i] * 0.999);
        }
    }

    @Test
    void aSilentBlockScoresZero() {
        double[] s = NeuronImportance.obs(new double[9], 10, new double[] {1, 2, 3}, 3, new int[] {0, 1, 2});
        assertThat(s).containsExactly(0, 0, 0);
    }

    @Test
    void magnitudeIsTheSquaredNormOfTheNeuronsWeights() {
        float[] gate = {1, 2, 0, 0};     // [n=2, d=2]
        float[] up = {0, 1, 3, 0};
        float[] down = {1, 0, 2, 1};     // [d=2, n=2]: column 0 = (1, 2), column 1 = (0, 1)
        assertThat(NeuronImportance.magnitude(gate, up, down, 2, 2)).containsExactly(1 + 4 + 1 + 1 + 4, 9 + 0 + 1);
    }

    /** Σ over output rows of min ‖y_r − H_{−j} v‖² / tokens, y_r = H w_r: the refit without neuron j. */
    private static double refitError(double[][] h, float[] w, int drop) {
        int n = MaskTuningTest.N;
        int d = MaskTuningTest.D;
        int k = n - 1;
        double[][] a = new double[k][k];
        int[] idx = new int[k];
        for (int i = 0, at = 0; i < n; i++) {
            if (i != drop) {
                idx[at++] = i;
            }
        }
        for (double[] row : h) {
            for (int x = 0; x < k; x++) {
                for (int y = 0; y < k; y++) {
                    a[x][y] += row[idx[x]] * row[idx[y]];
                }
            }
        }
        double total = 0;
        for (int r = 0; r < d; r++) {
            double[] rhs = new double[k];
            double[] y = new double[h.length];
            for (int t = 0; t < h.length; t++) {
                for (int j = 0; j < n; j++) {
                    y[t] += h[t][j] * w[r * n + j];
                }
                for (int x = 0; x < k; x++) {
                    rhs[x] += h[t][idx[x]] * y[t];
                }
            }
            double[] v = solve(copy(a), rhs);
            for (int t = 0; t < h.length; t++) {
                double fit = 0;
                for (int x = 0; x < k; x++) {
                    fit += h[t][idx[x]] * v[x];
                }
                total += (y[t] - fit) * (y[t] - fit);
            }
        }
        return total / h.length;
    }

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    /** Gaussian elimination with partial pivoting. */
    private static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[p][c])) {
                    p = r;
                }
            }
            double[] t = a[c];
            a[c] = a[p];
            a[p] = t;
            double tb = b[c];
            b[c] = b[p];
            b[p] = tb;
            for (int r = c + 1; r < n; r++) {
                double f = a[r][c] / a[c][c];
                for (int k = c; k < n; k++) {
                    a[r][k] -= f * a[c][k];
                }
                b[r] -= f * b[c];
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = b[r];
            for (int k = r + 1; k < n; k++) {
                s -= a[r][k] * x[k];
            }
            x[r] = s / a[r][r];
        }
        return x;
    }
}
