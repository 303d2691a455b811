package dev.surgeon.ops.prune.comp;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Mask tuning against the plain definitions: the error it reports is ‖Y − Ŷ‖²/‖Y‖² computed from
 * explicit activations and weights, and its scales satisfy the damped normal equations of that
 * least-squares problem, checked here with separately written loops.
 */
class MaskTuningTest {
    static final int TOKENS = 300;
    static final int N = 10;
    static final int D = 6;

    /** Random activations [tokens, n] with two nearly dependent neurons, and a down projection [d, n]. */
    static double[][] activations(Random rnd) {
        double[][] h = new double[TOKENS][N];
        for (int t = 0; t < TOKENS; t++) {
            for (int j = 0; j < N; j++) {
                h[t][j] = rnd.nextGaussian() * (1 + j * 0.1);
            }
            h[t][N - 1] = 0.8 * h[t][0] + 0.6 * h[t][1] + 0.01 * rnd.nextGaussian();
        }
        return h;
    }

    static float[] down(Random rnd) {
        float[] w = new float[D * N];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        return w;
    }

    static double[] gramSum(double[][] h) {
        double[] g = new double[N * N];
        for (double[] row : h) {
            for (int i = 0; i < N; i++) {
                for (int j = 0; j < N; j++) {
                    g[i * N + j] += row[i] * row[j];
                }
            }
        }
        return g;
    }

    /** ‖Y − Ŷ‖² / ‖Y‖² with Y = H Wᵀ and Ŷ the kept neurons scaled by m. */
    static double directError(double[][] h, float[] w, int[] kept, float[] m) {
        double err = 0;
        double total = 0;
        double[] coef = new double[N];
        for (int i = 0; i < kept.length; i++) {
            coef[kept[i]] = m == null ? 1 : m[i];
        }
        for (double[] row : h) {
            for (int r = 0; r < D; r++) {
                double y = 0;
                double yh = 0;
                for (int j = 0; j < N; j++) {
                    y += row[j] * w[r * N + j];
                    yh += coef[j] * row[j] * w[r * N + j];
                }
                err += (y - yh) * (y - yh);
                total += y * y;
            }
        }
        return err / total;
    }

    @Test
    void errorsMatchTheDirectComputationAndTuningLowersThem() {
        Random rnd = new Random(7);
        double[][] h = activations(rnd);
        float[] w = down(rnd);
        double[] m = MaskTuning.outputCovariance(gramSum(h), DenseMatrix.columnInnerProducts(w, D, N));
        int[] kept = {1, 2, 3, 5, 6, 8, 9};
        MaskTuning.Outcome o = MaskTuning.solve(m, N, kept, 1.0);
        assertThat(o.fallback()).isNull();
        assertThat(o.errorBefore()).isCloseTo(directError(h, w, kept, null), within(1e-9));
        assertThat(o.errorAfter()).isCloseTo(directError(h, w, kept, o.scales()), within(1e-6));
        assertThat(o.errorAfter()).isLessThan(o.errorBefore());
        assertThat(MaskTuning.untuned(m, N, kept).errorAfter()).isEqualTo(o.errorBefore());
    }

    @Test
    void scalesSolveTheDampedNormalEquations() {
        Random rnd = new Random(11);
        double[][] h = activations(rnd);
        float[] w = down(rnd);
        int[] kept = {0, 2, 4, 6, 7};
        double[] m = MaskTuning.outputCovariance(gramSum(h), DenseMatrix.columnInnerProducts(w, D, N));
        MaskTuning.Outcome o = MaskTuning.solve(m, N, kept, 1.0);
        assertThat(o.scales()).hasSize(kept.length);
        // A_ij = Σ_t h_ti h_tj (w_iᵀ w_j) over kept i, j; b_i = Σ_j over all neurons of the same
        int k = kept.length;
        double[][] a = new double[k][k];
        double[] b = new double[k];
        double meanDiag = 0;
        for (int x = 0; x < k; x++) {
            for (int j = 0; j < N; j++) {
                double v = 0;
                for (double[] row : h) {
                    v += row[kept[x]] * row[j];
                }
                double dot = 0;
                for (int r = 0; r < D; r++) {
                    dot += w[r * N + kept[x]] * w[r * N + j];
                }
                b[x] += v * dot;
                for (int y = 0; y < k; y++) {
                    if (kept[y] == j) {
                        a[x][y] = v * dot;
                    }
                }
            }
            meanDiag += a[x][x] / k;
        }
        for (int x = 0; x < k; x++) {
            double lhs = MaskTuning.LAMBDA * meanDiag * (o.scales()[x] - 1);
            double rhs = b[x];
            for (int y = 0; y < k; y++) {
                lhs += a[x][y] * (o.scales()[y] - 1);
                rhs -= a[x][y];
            }
            assertThat(lhs).isCloseTo(rhs, within(1e-4 * Math.abs(b[x]) + 1e-6));
        }
    }

    @Test
    void keepingEveryNeuronNeedsNoScaling() {
        Random rnd = new Random(3);
        double[][] h = activations(rnd);
        float[] w = down(rnd);
        double[] m = MaskTuning.outputCovariance(gramSum(h), DenseMatrix.columnInnerProducts(w, D, N));
        int[] all = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        MaskTuning.Outcome o = MaskTuning.solve(m, N, all, 1.0);
        for (float s : o.scales()) {
            assertThat((double) s).isCloseTo(1.0, within(1e-6));
        }
        assertThat(o.errorBefore()).isZero();
    }

    @Test
    void aTightVarianceBoundFallsBackToScaleOne() {
        Random rnd = new Random(5);
        double[][] h = activations(rnd);
        float[] w = down(rnd);
        double[] m = MaskTuning.outputCovariance(gramSum(h), DenseMatrix.columnInnerProducts(w, D, N));
        // dropping neuron 9 (≈ 0.8·h0 + 0.6·h1) pushes the scales of 0 and 1 away from 1
        int[] kept = {0, 1, 2, 3, 4, 5, 6, 7, 8};
        MaskTuning.Outcome tuned = MaskTuning.solve(m, N, kept, 1.0);
        assertThat(tuned.fallback()).isNull();
        MaskTuning.Outcome o = MaskTuning.solve(m, N, kept, 1e-6);
        assertThat(o.scales()).isNull();
        assertThat(o.fallback()).contains("variance");
        assertThat(o.errorAfter()).isEqualTo(o.errorBefore());
    }

    @Test
    void aScaleBeyondTenFallsBack() {
        // neuron 1 is neuron 0 at a hundredth of its size with a down column 1000 times smaller:
        // reproducing neuron 0's output through neuron 1 alone needs a scale of 100 000
        double[][] h = new double[50][2];
        Random rnd = new Random(1);
        for (double[] row : h) {
            row[0] = rnd.nextGaussian();
            row[1] = 0.01 * row[0];
        }
        float[] w = {1f, 1e-3f};
        double[] g = new double[4];
        for (double[] row : h) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++) {
                    g[i * 2 + j] += row[i] * row[j];
                }
            }
        }
        double[] m = MaskTuning.outputCovariance(g, DenseMatrix.columnInnerProducts(w, 1, 2));
        MaskTuning.Outcome o = MaskTuning.solve(m, 2, new int[] {1}, 1.0);
        assertThat(o.scales()).isNull();
        assertThat(o.fallback()).contains("outside [-10, 10]");
    }
}
