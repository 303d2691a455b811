package dev.surgeon.ops.prune.comp;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inverse against its definition, at sizes past OpenBLAS's blocking (64 and up): its 0.3.19
 * build failed or erred on positive-definite matrices of these sizes on AVX-512 cpus.
 */
class DenseMatrixTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 7, 64, 200, 352, 513})
    void aGramMatrixTimesItsInverseIsTheIdentity(int n) {
        Random r = new Random(n);
        int rows = n + 16;
        float[] h = new float[rows * n];
        for (int i = 0; i < h.length; i++) {
            h[i] = (float) r.nextGaussian();
        }
        double[] g = DenseMatrix.columnInnerProducts(h, rows, n);
        double[] a = g.clone();
        double damp = 0.01 * DenseMatrix.meanDiagonal(g, n);
        for (int i = 0; i < n; i++) {
            a[i * (n + 1)] += damp;
        }
        double[] inv = DenseMatrix.inverse(a, n);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += a[i * n + k] * inv[k * n + j];
                }
                worst = Math.max(worst, Math.abs(s - (i == j ? 1 : 0)));
            }
        }
        assertThat(worst).as("max |A·A⁻¹ − I|, n = %d", n).isLessThan(1e-9);
    }
}
