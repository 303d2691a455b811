package dev.surgeon.ops.merge;

import dev.surgeon.ops.content.Elementwise;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The write-pass kernel of a task-vector merge for one tensor: τ_t from the chunk, masked (TIES trim
 * or DARE drop), combined into τ_MTL, and θ_0 + scale·τ_MTL rounded once to F32. It counts the entries
 * each task keeps, for the report.
 */
final class TaskVectorKernel implements Elementwise.Kernel {
    private static final ThreadLocal<double[]> MERGED = new ThreadLocal<>();

    private final String tensor;
    private final int tasks;
    private final TaskVectorMask mask;
    private final TaskVectorCombiner combiner;
    private final double scale;
    private final AtomicLongArray kept;

    TaskVectorKernel(String tensor, int tasks, TaskVectorMask mask, TaskVectorCombiner combiner, double scale, AtomicLongArray kept) {
        this.tensor = tensor;
        this.tasks = tasks;
        this.mask = mask;
        this.combiner = combiner;
        this.scale = scale;
        this.kept = kept;
    }

    @Override
    public void apply(float[][] in, float[] out, int n, long first) {
        if (mask == null && combiner instanceof TaskArithmetic ta) {
            ta.apply(in, n, scale, out);
            return;
        }
        float[][] tau = TaskVectors.of(in, n);
        if (mask != null) {
            for (int t = 0; t < tasks; t++) {
                kept.addAndGet(t, mask.apply(tensor, t, tau[t], n, first));
            }
        }
        double[] merged = MERGED.get();
        if (merged == null || merged.length < n) {
            merged = new double[n];
            MERGED.set(merged);
        }
        combiner.combine(tau, tasks, n, merged);
        float[] base = in[0];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (base[i] + scale * merged[i]);
        }
    }
}
