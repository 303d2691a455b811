package dev.surgeon.ops.merge;

import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.ops.align.AlignedModels;
import dev.surgeon.ops.align.ElementwisePlan;
import dev.surgeon.ops.align.TensorGroup;
import dev.surgeon.ops.content.Elementwise;
import dev.surgeon.ops.exec.ChunkPass;
import dev.surgeon.ops.scale.Lines;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The output plan of {@code surgeon merge}. Every floating-point tensor is merged, everything else is
 * copied from the base ({@link ElementwisePlan}). The whole-model quantities a method needs come from
 * passes over the inputs made here, before the plan is returned: TIES's thresholds, sign election and
 * L1 norms (one pass and a 1/16 sample, {@link TrimElection}; else two passes, {@link MagnitudeThreshold},
 * and one, {@link MergeStatistics}), the sign election and L1 norms of other merges (one pass,
 * {@link MergeStatistics}), SLERP's per-tensor angles (one pass). The write pass then streams each
 * tensor once. Facts for the report are kept per tensor and per block; the kept counts of a
 * tensor are complete once it has been written.
 */
public final class MergePlan {
    /** What the report says about one tensor. */
    public static final class TensorFacts {
        private final TensorGroup group;
        private final boolean merged;
        private final double scale;
        private final Slerp.Coefficients slerp;
        private final AtomicLongArray kept;

        TensorFacts(TensorGroup group, boolean merged, double scale, Slerp.Coefficients slerp, AtomicLongArray kept) {
            this.group = group;
            this.merged = merged;
            this.scale = scale;
            this.slerp = slerp;
            this.kept = kept;
        }

        public TensorGroup group() {
            return group;
        }

        /** False for a tensor copied from the base (not floating point). */
        public boolean merged() {
            return merged;
        }

        /** The factor on τ_MTL (λ, or LiNeS's λ(ℓ)); NaN for SLERP and copies. */
        public double scale() {
            return scale;
        }

        /** SLERP's factors and angle; null for other methods. */
        public Slerp.Coefficients slerp() {
            return slerp;
        }

        /** Per task, the fraction of this tensor's entries the trim or drop kept; null when nothing is masked. */
        public double[] keptFraction() {
            if (kept == null) {
                return null;
            }
            double[] f = new double[kept.length()];
            for (int t = 0; t < f.length; t++) {
                f[t] = group.numel() == 0 ? 0 : (double) kept.get(t) / group.numel();
            }
            return f;
        }
    }

    private final MergeSpec spec;
    private final List<PlannedTensor> tensors;
    private final Map<String, TensorFacts> facts;
    private final int blockCount;
    private final long elements;
    private final MagnitudeThreshold trim;
    private final MergeStatistics statistics;
    private final Lines lines;
    private final DepthSchedule schedule;

    private MergePlan(MergeSpec spec, List<PlannedTensor> tensors, Map<String, TensorFacts> facts, int blockCount,
                      long elements, MagnitudeThreshold trim, MergeStatistics statistics, Lines lines, DepthSchedule schedule) {
        this.spec = spec;
        this.tensors = tensors;
        this.facts = facts;
        this.blockCount = blockCount;
        this.elements = elements;
        this.trim = trim;
        this.statistics = statistics;
        this.lines = lines;
        this.schedule = schedule;
    }

    /** Runs the passes {@code spec} needs over {@code models} and returns the plan to write. */
    public static MergePlan build(AlignedModels models, MergeSpec spec, DType outDtype, int threads) {
        if (models.others().size() != spec.tasks()) {
            throw new IllegalArgumentException(models.others().size() + " models but the spec says " + spec.tasks());
        }
        List<TensorGroup> merged = models.groups().stream().filter(TensorGroup::isFloat).toList();
        long elements = merged.stream().mapToLong(TensorGroup::numel).sum();
        return spec.method() == MergeMethod.SLERP
                ? slerp(models, spec, outDtype, threads, merged, elements)
                : taskVectors(models, spec, outDtype, threads, merged, elements);
    }

    private static MergePlan taskVectors(AlignedModels models, MergeSpec spec, DType outDtype, int threads,
                                         List<TensorGroup> merged, long elements) {
        int tasks = spec.tasks();
        MagnitudeThreshold trim = null;
        TaskVectorMask mask = null;
        MergeStatistics statistics = null;
        if (spec.method() == MergeMethod.TIES) {
            var onePass = TrimElection.compute(merged, tasks, spec.density(), spec.lines(), threads);
            if (onePass.isPresent()) {
                trim = onePass.get().trim();
                statistics = onePass.get().statistics();
            } else {
                trim = MagnitudeThreshold.compute(merged, tasks, spec.density(), threads);
            }
            mask = trim;
        } else if (spec.method() == MergeMethod.DARE) {
            mask = new Dare(spec.dropRate(), spec.rescale(), spec.seed());
        }
        TaskArithmetic arithmetic = spec.tiesCombine() ? null : new TaskArithmetic(spec.coefficients());
        boolean alphaKnown = arithmetic != null && mask == null && arithmetic.uniform();
        if (statistics == null && (spec.tiesCombine() || (spec.lines() && !alphaKnown))) {
            statistics = MergeStatistics.compute(merged, mask, arithmetic, spec.lines(), threads);
        }
        TaskVectorCombiner combiner = arithmetic != null ? arithmetic : new Ties(statistics.election().majority());
        Lines lines = null;
        if (spec.lines()) {
            double alpha = alphaKnown
                    ? MergeLines.uniformAlpha(tasks, arithmetic.coefficient(0))
                    : MergeLines.alpha(tasks, statistics.l1SumOfTaskVectors(), statistics.l1Merged());
            lines = MergeLines.schedule(alpha, spec.beta(), models.blockCount());
        }
        Map<String, TensorFacts> facts = new LinkedHashMap<>();
        Lines schedule = lines;
        TaskVectorMask m = mask;
        List<PlannedTensor> plan = ElementwisePlan.build(models, outDtype, threads, g -> {
            double scale = schedule != null ? schedule.lambda(g) : spec.lambda();
            AtomicLongArray kept = m == null ? null : new AtomicLongArray(tasks);
            facts.put(g.name(), new TensorFacts(g, true, scale, null, kept));
            return new TaskVectorKernel(g.name(), tasks, m, combiner, scale, kept);
        });
        return new MergePlan(spec, plan, ordered(models, facts), models.blockCount(), elements, trim, statistics, lines, null);
    }

    private static MergePlan slerp(AlignedModels models, MergeSpec spec, DType outDtype, int threads,
                                   List<TensorGroup> merged, long elements) {
        DepthSchedule schedule = new DepthSchedule(spec.t(), models.blockCount());
        Map<String, Slerp.Sums> sums = new LinkedHashMap<>();
        for (ChunkPass.Result<Slerp.Sums> r : ChunkPass.map(merged, threads, (g, in, n, first) -> {
            Slerp.Sums s = new Slerp.Sums();
            s.add(in[0], in[1], n);
            return s;
        })) {
            sums.computeIfAbsent(r.group().name(), k -> new Slerp.Sums()).add(r.value());
        }
        Map<String, Slerp.Coefficients> coefficients = new LinkedHashMap<>();
        for (TensorGroup g : merged) {
            coefficients.put(g.name(), Slerp.coefficients(sums.get(g.name()), schedule.of(g.role())));
        }
        Map<String, TensorFacts> facts = new LinkedHashMap<>();
        List<PlannedTensor> plan = ElementwisePlan.build(models, outDtype, threads, g -> {
            Slerp.Coefficients c = coefficients.get(g.name());
            facts.put(g.name(), new TensorFacts(g, true, Double.NaN, c, null));
            double c0 = c.c0();
            double c1 = c.c1();
            return (Elementwise.Kernel) (in, out, n, first) -> {
                float[] v0 = in[0];
                float[] v1 = in[1];
                for (int i = 0; i < n; i++) {
                    out[i] = (float) (c0 * v0[i] + c1 * v1[i]);
                }
            };
        });
        return new MergePlan(spec, plan, ordered(models, facts), models.blockCount(), elements, null, null, null, schedule);
    }

    /** Facts in the base's tensor order, copies included. */
    private static Map<String, TensorFacts> ordered(AlignedModels models, Map<String, TensorFacts> merged) {
        Map<String, TensorFacts> all = new LinkedHashMap<>();
        for (TensorGroup g : models.groups()) {
            TensorFacts f = merged.get(g.name());
            all.put(g.name(), f != null ? f : new TensorFacts(g, false, Double.NaN, null, null));
        }
        return all;
    }

    public MergeSpec spec() {
        return spec;
    }

    /** The tensors to write, in the reference writer's order. */
    public List<PlannedTensor> tensors() {
        return tensors;
    }

    /** Per tensor, in the base's order. */
    public Map<String, TensorFacts> facts() {
        return facts;
    }

    public int blockCount() {
        return blockCount;
    }

    /** n: the elements of the merged (floating-point) tensors. */
    public long elements() {
        return elements;
    }

    /** TIES's trim (k and thresholds per task), or null. */
    public MagnitudeThreshold trim() {
        return trim;
    }

    /** The pre-write statistics (sign election, L1 norms), or null when none was needed. */
    public MergeStatistics statistics() {
        return statistics;
    }

    /** LiNeS's schedule (α, β, λ(ℓ)), or null without {@code --lines}. */
    public Lines lines() {
        return lines;
    }

    /** The factor on τ_MTL of block {@code block} (λ or λ(ℓ)); NaN for SLERP. */
    public double blockScale(int block) {
        if (spec.method() == MergeMethod.SLERP) {
            return Double.NaN;
        }
        return lines != null ? lines.lambda(block) : spec.lambda();
    }

    /** SLERP's t of block {@code block}; NaN for other methods. */
    public double blockT(int block) {
        return schedule == null ? Double.NaN : schedule.atBlock(block);
    }
}
