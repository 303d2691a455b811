package dev.surgeon.ops.merge;

import dev.surgeon.ops.align.TensorGroup;
import dev.surgeon.ops.exec.ChunkPass;
import dev.surgeon.ops.select.RadixSelect;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * TIES's trim: per task t, keep the k = ⌊d·n⌋ entries of τ_t with the largest |τ| over the whole model
 * (n = all elements of the merged tensors), entries tied with the k-th largest included. The
 * thresholds are exact k-th order statistics from {@link RadixSelect}: two streaming passes over the
 * inputs ({@link ChunkPass}, chunks in parallel), never holding the model. k = 0 keeps nothing and k = n everything,
 * without a pass.
 */
public final class MagnitudeThreshold implements TaskVectorMask {
    private final long elements;
    private final long k;
    private final long[] keys;

    private MagnitudeThreshold(long elements, long k, long[] keys) {
        this.elements = elements;
        this.k = k;
        this.keys = keys;
    }

    /** k = ⌊d·n⌋, computed so that d = 1 gives exactly n. */
    public static long keepCount(double density, long n) {
        return Math.min(n, (long) Math.floor(density * n));
    }

    /** Finds each task's threshold over {@code groups} (the float tensors the merge touches), two passes. */
    public static MagnitudeThreshold compute(List<TensorGroup> groups, int tasks, double density, int threads) {
        long n = 0;
        for (TensorGroup g : groups) {
            n += g.numel();
        }
        long k = keepCount(density, n);
        long[] keys = new long[tasks];
        if (k == 0 || k == n) {
            java.util.Arrays.fill(keys, k == 0 ? RadixSelect.NONE : 0);
            return new MagnitudeThreshold(n, k, keys);
        }
        RadixSelect[] select = new RadixSelect[tasks];
        int[] taskOf = new int[tasks];
        for (int t = 0; t < tasks; t++) {
            select[t] = new RadixSelect(k);
            taskOf[t] = t;
        }
        select(groups, threads, 1, select, taskOf);
        for (int t = 0; t < tasks; t++) {
            keys[t] = select[t].thresholdKey();
        }
        return new MagnitudeThreshold(n, k, keys);
    }

    /** A trim with known threshold keys (from {@link TrimElection}); {@code keys[t]} is task t's k-th largest key. */
    static MagnitudeThreshold ofKeys(long elements, long k, long[] keys) {
        return new MagnitudeThreshold(elements, k, keys.clone());
    }

    /**
     * Runs {@code select}'s passes (in step) over the task vectors of {@code groups}, or over a
     * {@link ChunkPass#sample} of 1/{@code every} of them: selector s ranks task {@code taskOf[s]}.
     */
    static void select(List<TensorGroup> groups, int threads, int every, RadixSelect[] select, int[] taskOf) {
        while (!select[0].done()) {
            // one counter array per selector per worker, merged after the pass (counts add in any order)
            List<long[][]> workers = new CopyOnWriteArrayList<>();
            ThreadLocal<long[][]> local = ThreadLocal.withInitial(() -> {
                long[][] c = new long[select.length][];
                for (int s = 0; s < select.length; s++) {
                    c[s] = RadixSelect.newCounts();
                }
                workers.add(c);
                return c;
            });
            ChunkPass.sample(groups, threads, every, (g, in, count, first) -> {
                float[][] tau = TaskVectors.of(in, count);
                long[][] c = local.get();
                for (int s = 0; s < select.length; s++) {
                    select[s].count(c[s], tau[taskOf[s]], 0, count);
                }
                return null;
            });
            for (long[][] c : workers) {
                for (int s = 0; s < select.length; s++) {
                    select[s].merge(c[s]);
                }
            }
            for (RadixSelect s : select) {
                s.endPass();
            }
        }
    }

    /** n: the elements ranked (every element of the merged tensors). */
    public long elements() {
        return elements;
    }

    /** k: how many entries each task keeps (more when values tie at the threshold). */
    public long keepCount() {
        return k;
    }

    /** Task t's threshold |τ|: +Infinity when nothing is kept, 0 when everything is. */
    public float threshold(int task) {
        long key = keys[task];
        return key == RadixSelect.NONE ? Float.POSITIVE_INFINITY : Float.intBitsToFloat((int) key);
    }

    public boolean keeps(int task, float tau) {
        return RadixSelect.key(tau) >= keys[task];
    }

    @Override
    public int apply(String tensor, int task, float[] tau, int n, long first) {
        long key = keys[task];
        if (key == RadixSelect.NONE) {
            java.util.Arrays.fill(tau, 0, n, 0f);
            return 0;
        }
        int k = (int) key;
        int kept = 0;
        for (int i = 0; i < n; i++) {
            // branch-free: below = -1 when |tau| < threshold (keys are non-negative ints), else 0
            int bits = Float.floatToRawIntBits(tau[i]);
            int below = ((bits & 0x7fffffff) - k) >> 31;
            tau[i] = Float.intBitsToFloat(bits & ~below);
            kept += 1 + below;
        }
        return kept;
    }
}
