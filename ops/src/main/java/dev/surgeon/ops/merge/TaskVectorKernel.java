package dev.surgeon.ops.merge;

import dev.surgeon.ops.content.Elementwise;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The write-pass kernel of a task-vector merge for one tensor: τ_t from the chunk, masked (TIES trim
 * or DARE drop), combined into τ_MTL, and θ_0 + scale·τ_MTL rounded once to F32. It counts the entries
 * each task keeps, for the report.
 */
final class TaskVectorKernel implements Elementwise.Kernel {
    /**
     * Elements per block ({@link TaskVectors#BLOCK}): steps over the whole chunk (256 Ki elements,
     * 1 MiB an array) streamed each array through the outer caches once per step.
     */
    private static final int BLOCK = TaskVectors.BLOCK;
    private static final ThreadLocal<Scratch> SCRATCH = new ThreadLocal<>();

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

    /** One thread's arrays beside its block of task vectors: their merge, the entries each task kept in a chunk. */
    private static final class Scratch {
        final double[] merged = new double[BLOCK];
        final long[] kept;

        Scratch(int tasks) {
            kept = new long[tasks];
        }
    }

    @Override
    public void apply(float[][] in, float[] out, int n, long first) {
        if (mask == null && combiner instanceof TaskArithmetic ta) {
            ta.apply(in, n, scale, out);
            return;
        }
        Scratch s = SCRATCH.get();
        if (s == null || s.kept.length != tasks) {
            s = new Scratch(tasks);
            SCRATCH.set(s);
        }
        float[][] tau = TaskVectors.block(tasks);
        double[] merged = s.merged;
        Arrays.fill(s.kept, 0);
        float[] base = in[0];
        for (int from = 0; from < n; from += BLOCK) {
            int b = Math.min(BLOCK, n - from);
            TaskVectors.into(in, from, b, tau);
            if (mask != null) {
                for (int t = 0; t < tasks; t++) {
                    s.kept[t] += mask.apply(tensor, t, tau[t], b, first + from);
                }
            }
            combiner.combine(tau, tasks, b, merged);
            for (int i = 0; i < b; i++) {
                out[from + i] = (float) (base[from + i] + scale * merged[i]);
            }
        }
        if (mask != null) {
            for (int t = 0; t < tasks; t++) {
                kept.addAndGet(t, s.kept[t]);
            }
        }
    }
}
