package dev.surgeon.ops.prune.comp;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.bytedeco.openblas.global.openblas;

/**
 * The few double-precision matrix operations COMP needs, on square row-major {@code double[]}
 * arrays, computed by BLAS/LAPACK (an MLP width of 11,008 makes these 10¹² flops, far beyond a
 * Java loop).
 */
final class DenseMatrix {
    private DenseMatrix() {
    }

    /**
     * The inverse of the symmetric positive-definite n×n matrix {@code a} (not modified), by
     * Cholesky factorisation (LAPACK dpotrf/dpotri through OpenBLAS, which ND4J ships). ND4J's own
     * matrix_inverse refuses any matrix whose determinant underflows, as it does for every large
     * Gram matrix. A matrix that is positive definite only up to rounding gets a jitter of 1e-10 of
     * its mean diagonal, then 1e-8, before the failure is reported.
     */
    static double[] inverse(double[] a, int n) {
        double mean = meanDiagonal(a, n);
        for (double jitter : new double[] {0, 1e-10, 1e-8}) {
            double[] m = a.clone();
            for (int i = 0; i < n; i++) {
                m[i * (n + 1)] += jitter * mean;
            }
            if (openblas.LAPACKE_dpotrf(openblas.LAPACK_ROW_MAJOR, (byte) 'L', n, m, n) != 0) {
                continue;
            }
            if (openblas.LAPACKE_dpotri(openblas.LAPACK_ROW_MAJOR, (byte) 'L', n, m, n) != 0) {
                continue;
            }
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    m[i * n + j] = m[j * n + i]; // dpotri fills the lower triangle only
                }
            }
            return m;
        }
        throw new ArithmeticException("a " + n + "x" + n + " Gram matrix is not positive definite");
    }

    /**
     * WᵀW of the stored [rows, n] F32 matrix {@code w} (row-major): the n×n inner products of its
     * columns, in double.
     */
    static double[] columnInnerProducts(float[] w, int rows, int n) {
        INDArray f = Nd4j.create(w, new long[] {rows, n}, 'c');
        INDArray d = f.castTo(DataType.DOUBLE);
        close(f);
        INDArray g = Nd4j.gemm(d, d, true, false);
        close(d);
        double[] out = g.dup('c').data().asDouble();
        close(g);
        return out;
    }

    /** Σ over rows r of column j of a [rows, n] row-major matrix, squared: ‖w_j‖² per column. */
    static double[] columnSquares(float[] w, int rows, int n) {
        double[] out = new double[n];
        for (int r = 0; r < rows; r++) {
            int base = r * n;
            for (int j = 0; j < n; j++) {
                double x = w[base + j];
                out[j] += x * x;
            }
        }
        return out;
    }

    /** The mean of the diagonal of an n×n matrix. */
    static double meanDiagonal(double[] a, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += a[i * (n + 1)];
        }
        return s / n;
    }

    /** The sub-matrix a[idx, idx] (k×k) of an n×n matrix. */
    static double[] principal(double[] a, int n, int[] idx) {
        int k = idx.length;
        double[] out = new double[k * k];
        for (int i = 0; i < k; i++) {
            int row = idx[i] * n;
            for (int j = 0; j < k; j++) {
                out[i * k + j] = a[row + idx[j]];
            }
        }
        return out;
    }

    private static void close(INDArray a) {
        if (a != null && a.closeable()) {
            a.close();
        }
    }
}
