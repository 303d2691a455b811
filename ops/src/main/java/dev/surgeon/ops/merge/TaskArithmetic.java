package dev.surgeon.ops.merge;

/**
 * Task arithmetic (Ilharco et al.): τ_MTL = Σ_t c_t·τ_t with c_t = w_t (or w_t / Σw with
 * {@code --normalize}); the output is θ_0 + λ·τ_MTL. Sums in double, in task order.
 */
public final class TaskArithmetic implements TaskVectorCombiner {
    private final double[] coefficients;

    public TaskArithmetic(double[] coefficients) {
        this.coefficients = coefficients.clone();
    }

    @Override
    public void combine(float[][] tau, int tasks, int n, double[] out) {
        for (int i = 0; i < n; i++) {
            out[i] = 0;
        }
        for (int t = 0; t < tasks; t++) {
            double c = coefficients[t];
            float[] v = tau[t];
            for (int i = 0; i < n; i++) {
                out[i] += c * v[i];
            }
        }
    }

    /**
     * The whole write step in one loop, for task arithmetic without a mask: out[i] = θ_0 + scale·Σ_t c_t·τ_t,
     * from the chunk's inputs ({@code in[0]} base, {@code in[1..T]} fine-tuned) with no intermediate
     * arrays; the same numbers as {@link TaskVectors#of} followed by {@link #combine} (τ in F32, the
     * sum in double, in task order).
     */
    public void apply(float[][] in, int n, double scale, float[] out) {
        float[] base = in[0];
        int tasks = coefficients.length;
        if (tasks == 1) {
            float[] ft = in[1];
            double c = coefficients[0];
            for (int i = 0; i < n; i++) {
                float b = base[i];
                double s = 0;
                s += c * (ft[i] - b);
                out[i] = (float) (b + scale * s);
            }
            return;
        }
        if (tasks == 2) {
            // unrolled: the same sums in the same order, without the per-element loop over tasks
            float[] f1 = in[1];
            float[] f2 = in[2];
            double c1 = coefficients[0];
            double c2 = coefficients[1];
            for (int i = 0; i < n; i++) {
                float b = base[i];
                double s = 0;
                s += c1 * (f1[i] - b);
                s += c2 * (f2[i] - b);
                out[i] = (float) (b + scale * s);
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            float b = base[i];
            double s = 0;
            for (int t = 0; t < tasks; t++) {
                s += coefficients[t] * (in[t + 1][i] - b);
            }
            out[i] = (float) (b + scale * s);
        }
    }

    /** True when every c_t is the same value (then LiNeS's α is known without a pass). */
    public boolean uniform() {
        for (double c : coefficients) {
            if (c != coefficients[0]) {
                return false;
            }
        }
        return true;
    }

    public double coefficient(int task) {
        return coefficients[task];
    }
}
