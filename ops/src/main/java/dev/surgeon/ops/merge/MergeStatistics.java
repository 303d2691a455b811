package dev.surgeon.ops.merge;

import dev.surgeon.ops.align.TensorGroup;
import dev.surgeon.ops.exec.ChunkPass;

import java.util.List;

/**
 * The whole-model pass a task-vector merge makes before it writes, when it needs one: TIES's sign
 * election (the majority sign over coordinates) and LiNeS's L1 norms ‖Σ_t τ_t‖₁ (untrimmed) and
 * ‖τ_MTL‖₁. Chunks are streamed in parallel ({@link ChunkPass}); per-chunk sums are added in (tensor,
 * chunk) order, so the result does not depend on threads. A TIES trim usually gets these from
 * {@link TrimElection}'s pass instead, which also finds its thresholds; this pass is for DARE's drop,
 * task arithmetic under LiNeS, and a TIES trim that pass could not settle.
 */
public final class MergeStatistics {
    private static final ThreadLocal<double[]> MERGED = new ThreadLocal<>();

    private double l1SumOfTaskVectors;
    private double l1Merged;
    private final SignElection election;

    private MergeStatistics(boolean ties, boolean norms) {
        this.election = ties ? new SignElection(norms) : null;
    }

    /** A TIES combine's statistics found elsewhere ({@link TrimElection}): ‖Σ_t τ_t‖₁ and the election. */
    static MergeStatistics ofTies(double l1SumOfTaskVectors, SignElection election) {
        MergeStatistics s = new MergeStatistics(election);
        s.l1SumOfTaskVectors = l1SumOfTaskVectors;
        return s;
    }

    private MergeStatistics(SignElection election) {
        this.election = election;
    }

    /**
     * @param mask        TIES trim or DARE drop, or null
     * @param arithmetic  the combiner when it is task arithmetic; null for a TIES combine
     * @param norms       also the L1 norms (for LiNeS); without them only the sign election is made
     */
    public static MergeStatistics compute(List<TensorGroup> groups, TaskVectorMask mask, TaskArithmetic arithmetic,
                                          boolean norms, int threads) {
        boolean ties = arithmetic == null;
        List<ChunkPass.Result<MergeStatistics>> parts = ChunkPass.map(groups, threads,
                (g, in, n, first) -> ofChunk(g, in, n, first, mask, arithmetic, norms));
        MergeStatistics all = new MergeStatistics(ties, norms);
        for (ChunkPass.Result<MergeStatistics> r : parts) {
            MergeStatistics p = r.value();
            all.l1SumOfTaskVectors += p.l1SumOfTaskVectors;
            all.l1Merged += p.l1Merged;
            if (ties) {
                all.election.add(p.election);
            }
        }
        return all;
    }

    private static MergeStatistics ofChunk(TensorGroup g, float[][] in, int n, long first, TaskVectorMask mask,
                                           TaskArithmetic arithmetic, boolean norms) {
        MergeStatistics s = new MergeStatistics(arithmetic == null, norms);
        int tasks = in.length - 1;
        float[][] tau = TaskVectors.of(in, n);
        if (norms) {
            s.l1SumOfTaskVectors = TaskVectors.l1OfSum(tau, tasks, n);
        }
        if (mask != null) {
            for (int t = 0; t < tasks; t++) {
                mask.apply(g.name(), t, tau[t], n, first);
            }
        }
        if (arithmetic == null) {
            s.election.add(tau, tasks, n);
        } else {
            double[] merged = MERGED.get();
            if (merged == null || merged.length < n) {
                merged = new double[n];
                MERGED.set(merged);
            }
            arithmetic.combine(tau, tasks, n, merged);
            double l1 = 0;
            for (int i = 0; i < n; i++) {
                l1 += Math.abs(merged[i]);
            }
            s.l1Merged = l1;
        }
        return s;
    }

    /** ‖Σ_t τ_t‖₁ over the untrimmed, unweighted task vectors. */
    public double l1SumOfTaskVectors() {
        return l1SumOfTaskVectors;
    }

    /** ‖τ_MTL‖₁ of the merged task vector before λ. */
    public double l1Merged() {
        return election != null ? election.mergedL1() : l1Merged;
    }

    /** The sign election (TIES combine), or null. */
    public SignElection election() {
        return election;
    }
}
