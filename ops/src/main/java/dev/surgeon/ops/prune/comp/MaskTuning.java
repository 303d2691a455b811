package dev.surgeon.ops.prune.comp;

/**
 * COMP's mask tuning (METHODS.md, after Kwon et al. 2022): rescale the kept neurons of a block so
 * that its MLP output best reproduces the dense one on the calibration tokens. With M = G ∘ WᵀW
 * (G = HᵀH, W = down_proj), the error of coefficients c (dense output minus pruned, c_j = 1 − m_j
 * for kept j and 1 for removed j) is cᵀMc; the scales solve the damped normal equations
 * (A + λ·mean(diag A)·I)(m − 1) = b − A·1 with A = M_KK, b = (M·1)_K. A solution with some
 * |m_j| &gt; {@link #MAX_SCALE} or var(m) above the bound is not trusted: the block keeps m = 1.
 */
final class MaskTuning {
    /** λ, the damping that pulls the scales toward 1. */
    static final double LAMBDA = 0.01;
    /** The largest |m_j| accepted. */
    static final double MAX_SCALE = 10;

    private MaskTuning() {
    }

    /**
     * @param scales       m per kept neuron, null when the block keeps m = 1 (fallback or tuning off)
     * @param errorBefore  relative reconstruction error with m = 1: cᵀMc / 1ᵀM1
     * @param errorAfter   the same with the scales (= errorBefore when scales is null)
     * @param fallback     why the solution was rejected, or null
     */
    record Outcome(float[] scales, double errorBefore, double errorAfter, String fallback) {
    }

    /** M = G ∘ WᵀW, n×n. */
    static double[] outputCovariance(double[] gramSum, double[] wtw) {
        double[] m = new double[gramSum.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = gramSum[i] * wtw[i];
        }
        return m;
    }

    /** The relative error of keeping {@code kept} (ascending) unscaled, without solving anything. */
    static Outcome untuned(double[] m, int n, int[] kept) {
        double before = relativeError(m, n, coefficients(n, kept, null));
        return new Outcome(null, before, before, null);
    }

    /** Solves for the scales of {@code kept} (ascending indices into n neurons). */
    static Outcome solve(double[] m, int n, int[] kept, double maxScaleVar) {
        double before = relativeError(m, n, coefficients(n, kept, null));
        int k = kept.length;
        if (k == 0) {
            return new Outcome(null, before, before, null);
        }
        double[] a = DenseMatrix.principal(m, n, kept);
        double[] rhs = new double[k];
        for (int i = 0; i < k; i++) {
            int row = kept[i] * n;
            double b = 0;
            for (int j = 0; j < n; j++) {
                b += m[row + j];
            }
            double a1 = 0;
            for (int j = 0; j < k; j++) {
                a1 += a[i * k + j];
            }
            rhs[i] = b - a1; // b − A·1: what the removed neurons contributed along neuron i
        }
        double mean = DenseMatrix.meanDiagonal(a, k);
        if (!(mean > 0)) {
            return new Outcome(null, before, before, null); // no signal through the kept neurons
        }
        for (int i = 0; i < k; i++) {
            a[i * (k + 1)] += LAMBDA * mean;
        }
        double[] inv = DenseMatrix.inverse(a, k);
        float[] scales = new float[k];
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < k; i++) {
            double x = 0;
            for (int j = 0; j < k; j++) {
                x += inv[i * k + j] * rhs[j];
            }
            double s = 1 + x;
            if (!Double.isFinite(s) || Math.abs(s) > MAX_SCALE) {
                return new Outcome(null, before, before, String.format(java.util.Locale.ROOT,
                        "a scale of %.3g is outside [-%s, %s]", s, fmt(MAX_SCALE), fmt(MAX_SCALE)));
            }
            scales[i] = (float) s;
            sum += s;
            sumSq += s * s;
        }
        double var = sumSq / k - (sum / k) * (sum / k);
        if (var > maxScaleVar) {
            return new Outcome(null, before, before, String.format(java.util.Locale.ROOT,
                    "scale variance %.3g exceeds %s", var, fmt(maxScaleVar)));
        }
        double after = relativeError(m, n, coefficients(n, kept, scales));
        return new Outcome(scales, before, after, null);
    }

    /** c: 1 for removed neurons, 1 − m_j for kept ones (m = 1 when scales is null). */
    private static double[] coefficients(int n, int[] kept, float[] scales) {
        double[] c = new double[n];
        java.util.Arrays.fill(c, 1);
        for (int i = 0; i < kept.length; i++) {
            c[kept[i]] = scales == null ? 0 : 1 - (double) scales[i];
        }
        return c;
    }

    /** cᵀMc / 1ᵀM1 (0 when the dense output is zero). */
    static double relativeError(double[] m, int n, double[] c) {
        double err = 0;
        double total = 0;
        for (int i = 0; i < n; i++) {
            int row = i * n;
            double ci = c[i];
            double e = 0;
            double t = 0;
            for (int j = 0; j < n; j++) {
                double v = m[row + j];
                e += v * c[j];
                t += v;
            }
            err += ci * e;
            total += t;
        }
        return total > 0 ? Math.max(0, err) / total : 0;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
