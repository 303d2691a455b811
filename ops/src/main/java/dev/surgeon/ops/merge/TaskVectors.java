package dev.surgeon.ops.merge;

/**
 * Task vectors τ_t = θ_t − θ_0 of one chunk: {@code in[0]} is the base's elements, {@code in[1..T]} the
 * fine-tuned models', as the chunk readers hand them over. The result goes
 * into reusable per-thread arrays, so a pass over a whole model allocates them once per thread.
 */
public final class TaskVectors {
    /**
     * Elements per block of the passes that take a model's task vectors a block at a time: 4 Ki
     * (16 KiB of floats a task), so a block stays in the core's first-level cache through every step.
     */
    public static final int BLOCK = 1 << 12;

    private static final ThreadLocal<float[][]> SCRATCH = new ThreadLocal<>();
    private static final ThreadLocal<float[][]> BLOCKS = new ThreadLocal<>();

    private TaskVectors() {
    }

    /** τ_t[i] = in[t+1][i] − in[0][i] for i &lt; n, in arrays owned by the calling thread ({@code [T][>= n]}). */
    public static float[][] of(float[][] in, int n) {
        float[][] tau = scratch(in.length - 1, n);
        into(in, 0, n, tau);
        return tau;
    }

    /** τ_t[i] = in[t+1][from + i] − in[0][from + i] for i &lt; n, into {@code tau[t][0..n)}. */
    public static void into(float[][] in, int from, int n, float[][] tau) {
        float[] base = in[0];
        for (int t = 0; t < in.length - 1; t++) {
            float[] ft = in[t + 1];
            float[] out = tau[t];
            for (int i = 0; i < n; i++) {
                out[i] = ft[from + i] - base[from + i];
            }
        }
    }

    /** This thread's arrays for a block of {@code tasks} task vectors, {@code [tasks][BLOCK]}; reused by the next call. */
    public static float[][] block(int tasks) {
        float[][] b = BLOCKS.get();
        if (b == null || b.length != tasks) {
            b = new float[tasks][BLOCK];
            BLOCKS.set(b);
        }
        return b;
    }

    private static float[][] scratch(int tasks, int n) {
        float[][] s = SCRATCH.get();
        if (s == null || s.length != tasks || s[0].length < n) {
            s = new float[tasks][n];
            SCRATCH.set(s);
        }
        return s;
    }

    /** Σ_i |Σ_t τ_t[i]| in double: this chunk's share of the L1 norm of the summed task vectors. */
    public static double l1OfSum(float[][] tau, int tasks, int n) {
        double l1 = 0;
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int t = 0; t < tasks; t++) {
                s += tau[t][i];
            }
            l1 += Math.abs(s);
        }
        return l1;
    }
}
