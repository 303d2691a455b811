package dev.surgeon.ops.merge;

import dev.surgeon.ops.align.TensorGroup;
import dev.surgeon.ops.exec.ChunkPass;
import dev.surgeon.ops.select.RadixSelect;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * TIES's trim thresholds and sign election from one pass over the model and a small sample, instead
 * of three passes ({@link MagnitudeThreshold}'s two, then {@link MergeStatistics}'s). Every pass reads
 * and decodes all the inputs, so this saves about half of a TIES merge's reading.
 *
 * <p>A sample of 1/{@value #SAMPLE_EVERY} of every chunk brackets each task's threshold key between
 * two keys lo ≤ hi, with a margin of many standard deviations of the sample's rank. The full pass then
 * settles every coordinate whose entries all lie outside [lo, hi): an entry at or above hi is kept and
 * one below lo is dropped by any threshold inside the bracket, so those coordinates are elected at
 * once. It counts each task's entries above and at hi and sets the coordinates with an entry inside
 * [lo, hi) aside (a small fraction). After the pass the counts and the set-aside entries give the
 * exact k-th largest key, and the set-aside coordinates are trimmed and elected.
 *
 * <p>The result is the three-pass path's: the same threshold keys, the same sign counts; only the
 * L1 norms (for LiNeS) may differ in their last bits, since the set-aside coordinates are added last.
 * It does not depend on threads (parts are folded in chunk order). When a bracket misses (the sample
 * was unlike the model) or the set-aside entries outgrow their budget ({@link #BUDGET_FLOATS}),
 * {@link #compute} returns empty and the caller takes the three-pass path.
 */
public final class TrimElection {
    /** The sample is 1/16 of every chunk ({@link ChunkPass#sample}): about 1/16 of a pass. */
    static final int SAMPLE_EVERY = 16;
    /**
     * Set-aside entries (floats) before giving up: 32 MiB, or the largest tensor's element count when
     * that is more (memory may grow with the largest tensor, not with the model). Measured shares:
     * 0.20 % of the entries at 0.5B, 0.17 % at 1B, 0.11 % at 3B (it falls as 1/√n).
     */
    static final long BUDGET_FLOATS = 8L << 20;

    /** The trim and the statistics a TIES merge needs before its write pass. */
    public record Outcome(MagnitudeThreshold trim, MergeStatistics statistics) {
    }

    /** One chunk's share: counts per task, its settled coordinates' election, its set-aside entries. */
    private static final class Part {
        final long[] above;
        final long[] equal;
        final SignElection election;
        double l1Sum;
        float[] aside = new float[0];

        Part(int tasks, boolean norms) {
            above = new long[tasks];
            equal = new long[tasks];
            election = new SignElection(norms);
        }
    }

    /** Thrown inside the pass once the set-aside entries exceed the budget; ends the pass early. */
    private static final class OverBudget extends RuntimeException {
        OverBudget() {
            super("set-aside entries over budget", null, false, false);
        }
    }

    private static final int BLOCK = TaskVectors.BLOCK;
    private static final ThreadLocal<Scratch> SCRATCH = new ThreadLocal<>();

    private TrimElection() {
    }

    /**
     * The trim at {@code density} and the sign election (with LiNeS's L1 norms when {@code norms}) over
     * {@code groups}; empty when the one-pass method cannot settle it (k = 0 or k = n need no trim pass,
     * a missed bracket, too many set-aside entries).
     */
    public static Optional<Outcome> compute(List<TensorGroup> groups, int tasks, double density, boolean norms, int threads) {
        long n = 0;
        long budget = BUDGET_FLOATS;
        for (TensorGroup g : groups) {
            n += g.numel();
            budget = Math.max(budget, g.numel());
        }
        long k = MagnitudeThreshold.keepCount(density, n);
        if (k == 0 || k == n) {
            return Optional.empty();
        }
        long m = ChunkPass.sampleSize(groups, SAMPLE_EVERY);
        int[] lo = new int[tasks];
        int[] hi = new int[tasks];
        bracket(groups, tasks, (double) k / n, m, threads, lo, hi);

        AtomicLong setAside = new AtomicLong();
        long maxAside = budget;
        List<ChunkPass.Result<Part>> parts;
        try {
            parts = ChunkPass.map(groups, threads, (g, in, count, first) -> {
                Part p = settle(in, tasks, count, norms, lo, hi);
                if (setAside.addAndGet(p.aside.length) > maxAside) {
                    throw new OverBudget();
                }
                return p;
            });
        } catch (OverBudget e) {
            return Optional.empty();
        }

        long[] keys = new long[tasks];
        for (int t = 0; t < tasks; t++) {
            long above = 0;
            long equal = 0;
            for (ChunkPass.Result<Part> r : parts) {
                above += r.value().above[t];
                equal += r.value().equal[t];
            }
            if (above >= k) {
                return Optional.empty(); // the threshold is above hi
            }
            if (k <= above + equal) {
                keys[t] = hi[t];
                continue;
            }
            int[] inside = insideKeys(parts, tasks, t, lo[t], hi[t]);
            long rank = k - above - equal; // the threshold is the rank-th largest key inside [lo, hi)
            if (rank > inside.length) {
                return Optional.empty(); // the threshold is below lo
            }
            Arrays.sort(inside);
            keys[t] = inside[(int) (inside.length - rank)];
        }
        MagnitudeThreshold trim = MagnitudeThreshold.ofKeys(n, k, keys);

        SignElection election = new SignElection(norms);
        double l1Sum = 0;
        for (ChunkPass.Result<Part> r : parts) {
            election.add(r.value().election);
            l1Sum += r.value().l1Sum;
        }
        for (ChunkPass.Result<Part> r : parts) {
            float[] aside = r.value().aside;
            if (aside.length > 0) {
                election.add(trimmed(aside, tasks, trim), tasks, aside.length / tasks);
            }
        }
        return Optional.of(new Outcome(trim, MergeStatistics.ofTies(l1Sum, election)));
    }

    /**
     * Each task's bracket from the sample: the keys of the sample ranks q·m ∓ δ, where q = k/n and δ is
     * 8 standard deviations of a binomial rank (at least m/8192), so a sample like the model puts the
     * threshold inside [lo, hi] by far.
     */
    private static void bracket(List<TensorGroup> groups, int tasks, double q, long m, int threads, int[] lo, int[] hi) {
        double delta = Math.max(8 * Math.sqrt(m * q * (1 - q)), m / 8192.0) + 1;
        long rankHi = Math.max(1, (long) Math.floor(q * m - delta));
        long rankLo = Math.min(m, (long) Math.ceil(q * m + delta));
        RadixSelect[] select = new RadixSelect[2 * tasks];
        int[] taskOf = new int[2 * tasks];
        for (int t = 0; t < tasks; t++) {
            taskOf[2 * t] = t;
            taskOf[2 * t + 1] = t;
            select[2 * t] = new RadixSelect(rankHi);
            select[2 * t + 1] = new RadixSelect(Math.max(rankLo, rankHi));
        }
        MagnitudeThreshold.select(groups, threads, SAMPLE_EVERY, select, taskOf);
        for (int t = 0; t < tasks; t++) {
            hi[t] = (int) select[2 * t].thresholdKey();
            lo[t] = (int) select[2 * t + 1].thresholdKey();
        }
    }

    /** One thread's reused arrays beside its block of task vectors: the block's flags, a chunk's set-aside entries. */
    private static final class Scratch {
        final int tasks;
        final byte[] unsure = new byte[BLOCK];
        final float[] aside;

        Scratch(int tasks) {
            this.tasks = tasks;
            aside = new float[tasks * ChunkPass.CHUNK];
        }
    }

    /**
     * One chunk ({@code in}: the base's and each fine-tune's elements), a block at a time so that each
     * block's task vectors stay in the core's cache through every step: each task's entries above and
     * at hi counted, the settled coordinates elected, the others set aside (their entries below lo
     * already dropped, the rest as they are) and zeroed for the election, which then takes them back
     * out of its zero-sum count.
     */
    private static Part settle(float[][] in, int tasks, int n, boolean norms, int[] lo, int[] hi) {
        Part p = new Part(tasks, norms);
        Scratch s = SCRATCH.get();
        if (s == null || s.tasks != tasks) {
            s = new Scratch(tasks);
            SCRATCH.set(s);
        }
        float[][] tau = TaskVectors.block(tasks);
        byte[] unsure = s.unsure;
        float[] aside = s.aside;
        int a = 0;
        for (int from = 0; from < n; from += BLOCK) {
            int b = Math.min(BLOCK, n - from);
            TaskVectors.into(in, from, b, tau);
            if (norms) {
                p.l1Sum += TaskVectors.l1OfSum(tau, tasks, b);
            }
            Arrays.fill(unsure, 0, b, (byte) 0);
            for (int t = 0; t < tasks; t++) {
                // branch-free (keys are non-negative ints, so no difference below overflows):
                // key > h ⇔ h − key < 0; key ≥ l ⇔ l − 1 − key < 0; key < h ⇔ key − h < 0
                float[] v = tau[t];
                int l = lo[t];
                int h = hi[t];
                int above = 0;
                int equal = 0;
                for (int i = 0; i < b; i++) {
                    int bits = Float.floatToRawIntBits(v[i]);
                    int key = bits & 0x7fffffff;
                    int atLeastLo = (l - 1 - key) >> 31;
                    above += (h - key) >>> 31;
                    equal += ((key ^ h) - 1) >>> 31;
                    unsure[i] |= (byte) ((atLeastLo & (key - h)) >>> 31);
                    v[i] = Float.intBitsToFloat(bits & atLeastLo); // below lo: dropped by any threshold in the bracket
                }
                p.above[t] += above;
                p.equal[t] += equal;
            }
            int set = 0;
            for (int i = 0; i < b; i++) {
                if (unsure[i] != 0) {
                    for (int t = 0; t < tasks; t++) {
                        aside[a++] = tau[t][i];
                        tau[t][i] = 0f;
                    }
                    set++;
                }
            }
            p.election.add(tau, tasks, b);
            p.election.notZeroSum(set);
        }
        if (a > 0) {
            p.aside = Arrays.copyOf(aside, a);
        }
        return p;
    }

    /** Task t's set-aside keys inside [lo, hi), in chunk order. */
    private static int[] insideKeys(List<ChunkPass.Result<Part>> parts, int tasks, int t, int lo, int hi) {
        int count = 0;
        int[] keys = new int[64];
        for (ChunkPass.Result<Part> r : parts) {
            float[] aside = r.value().aside;
            for (int j = t; j < aside.length; j += tasks) {
                int key = RadixSelect.key(aside[j]);
                if (key >= lo && key < hi) {
                    if (count == keys.length) {
                        keys = Arrays.copyOf(keys, 2 * count);
                    }
                    keys[count++] = key;
                }
            }
        }
        return Arrays.copyOf(keys, count);
    }

    /** A part's set-aside coordinates (stored coordinate-major, {@code tasks} entries each) as trimmed task vectors. */
    private static float[][] trimmed(float[] aside, int tasks, MagnitudeThreshold trim) {
        int c = aside.length / tasks;
        float[][] tau = new float[tasks][c];
        for (int i = 0; i < c; i++) {
            for (int t = 0; t < tasks; t++) {
                tau[t][i] = aside[i * tasks + t];
            }
        }
        for (int t = 0; t < tasks; t++) {
            trim.apply(null, t, tau[t], c, 0);
        }
        return tau;
    }
}
