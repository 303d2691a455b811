package dev.surgeon.ops.merge;

import dev.surgeon.ops.exec.ChunkPass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;

import static org.assertj.core.api.Assertions.assertThat;

/** The one-pass trim and election against the three-pass path it replaces, on models written as files. */
class TrimElectionTest {
    @TempDir
    Path tmp;

    private static final int BIG = 700_000; // three chunks of the pass, the last one partial

    @Test
    void givesTheThreePassThresholdsAndSignCountsAtEveryDensity() throws Exception {
        for (int tasks : new int[] {2, 3}) {
            // task vectors on a grid of 1/256, so many magnitudes tie at every threshold
            List<Path> models = write("grid" + tasks, tasks, (t, r, i) -> (r.nextInt(81) - 40) / 256f);
            // and continuous ones, whose thresholds fall strictly inside the bracket
            List<Path> gauss = write("gauss" + tasks, tasks, (t, r, i) -> (float) (r.nextGaussian() * (t + 1)));
            for (double density : new double[] {0.01, 0.2, 0.5, 0.97}) {
                assertSameAsThreePasses(models, tasks, density, true);
                assertSameAsThreePasses(gauss, tasks, density, true);
            }
        }
    }

    @Test
    void zeroTaskVectorsAtTheThresholdAreSettledAsTies() throws Exception {
        // 70 % of each task vector is exactly 0 and the density keeps half: the threshold is |τ| = 0
        List<Path> models = write("zeros", 2, (t, r, i) -> r.nextInt(10) < 7 ? 0f : (float) r.nextGaussian());
        TrimElection.Outcome o = assertSameAsThreePasses(models, 2, 0.5, false);
        assertThat(o.trim().threshold(0)).isZero();
        assertThat(o.trim().threshold(1)).isZero();
    }

    @Test
    void aSampleUnlikeTheModelIsNoticedAndLeftToTheThreePassPath() throws Exception {
        // large |τ| exactly where the sample looks, small elsewhere
        List<Path> models = write("skewed", 2, (t, r, i) -> (sampled(i) ? 100f : 1f) * (float) r.nextGaussian());
        try (MergeFiles.Opened m = open(models)) {
            assertThat(TrimElection.compute(m.floatGroups(), 2, 0.2, true, 2)).isEmpty();
        }
        // and the merge still comes out right: MergePlan falls back to the three passes
        MergeFiles.Opts opts = new MergeFiles.Opts("ties");
        opts.density = 0.2;
        MergePlan plan = MergeFiles.merge(tmp.resolve("skewed-out.safetensors"), opts, 2, models.toArray(Path[]::new));
        try (MergeFiles.Opened m = open(models)) {
            MagnitudeThreshold exact = MagnitudeThreshold.compute(m.floatGroups(), 2, 0.2, 1);
            assertThat(plan.trim().threshold(0)).isEqualTo(exact.threshold(0));
            assertThat(plan.trim().threshold(1)).isEqualTo(exact.threshold(1));
        }
    }

    @Test
    void resultDoesNotDependOnThreads() throws Exception {
        List<Path> models = write("threads", 2, (t, r, i) -> (float) (r.nextGaussian() * (1 + t)));
        try (MergeFiles.Opened m = open(models)) {
            TrimElection.Outcome one = TrimElection.compute(m.floatGroups(), 2, 0.2, true, 1).orElseThrow();
            TrimElection.Outcome three = TrimElection.compute(m.floatGroups(), 2, 0.2, true, 3).orElseThrow();
            assertThat(three.statistics().l1Merged()).isEqualTo(one.statistics().l1Merged());
            assertThat(three.statistics().l1SumOfTaskVectors()).isEqualTo(one.statistics().l1SumOfTaskVectors());
            assertThat(three.trim().threshold(1)).isEqualTo(one.trim().threshold(1));
        }
    }

    private TrimElection.Outcome assertSameAsThreePasses(List<Path> models, int tasks, double density, boolean norms) {
        try (MergeFiles.Opened m = open(models)) {
            Optional<TrimElection.Outcome> fast = TrimElection.compute(m.floatGroups(), tasks, density, norms, 2);
            assertThat(fast).as("one pass settles tasks=%d density=%s", tasks, density).isPresent();
            MagnitudeThreshold trim = MagnitudeThreshold.compute(m.floatGroups(), tasks, density, 2);
            MergeStatistics stats = MergeStatistics.compute(m.floatGroups(), trim, null, norms, 2);
            for (int t = 0; t < tasks; t++) {
                assertThat(fast.get().trim().threshold(t)).as("task %d threshold", t).isEqualTo(trim.threshold(t));
            }
            assertThat(fast.get().trim().keepCount()).isEqualTo(trim.keepCount());
            SignElection a = fast.get().statistics().election();
            SignElection b = stats.election();
            assertThat(new long[] {a.positive(), a.negative(), a.zeroSum(), a.cancelled()})
                    .isEqualTo(new long[] {b.positive(), b.negative(), b.zeroSum(), b.cancelled()});
            if (norms) {
                assertThat(fast.get().statistics().l1SumOfTaskVectors())
                        .isCloseTo(stats.l1SumOfTaskVectors(), org.assertj.core.data.Percentage.withPercentage(1e-9));
                assertThat(fast.get().statistics().l1Merged())
                        .isCloseTo(stats.l1Merged(), org.assertj.core.data.Percentage.withPercentage(1e-9));
            }
            return fast.get();
        }
    }

    /** τ entry i of task t, from the random stream. */
    @FunctionalInterface
    private interface Tau {
        float at(int task, SplittableRandom r, int i);
    }

    /** Base and fine-tunes: a tensor of {@link #BIG} elements and a small one; fine-tune t = base + τ_t. */
    private List<Path> write(String name, int tasks, Tau tau) throws Exception {
        SplittableRandom r = new SplittableRandom(name.hashCode());
        Map<String, float[]> base = new LinkedHashMap<>();
        base.put("big", fill(BIG, i -> r.nextGaussian()));
        base.put("small", fill(1000, i -> r.nextGaussian()));
        List<Path> paths = new ArrayList<>();
        paths.add(MergeFiles.model(tmp.resolve(name + "-base.safetensors"), base));
        for (int t = 0; t < tasks; t++) {
            Map<String, float[]> ft = new LinkedHashMap<>();
            int task = t;
            base.forEach((k, v) -> ft.put(k, fill(v.length, i -> v[i] + tau.at(task, r, i))));
            paths.add(MergeFiles.model(tmp.resolve(name + "-ft" + t + ".safetensors"), ft));
        }
        return paths;
    }

    /** Whether element i of the big tensor is in {@link ChunkPass#sample}'s sample. */
    private static boolean sampled(int i) {
        int chunk = i / ChunkPass.CHUNK;
        int n = Math.min(ChunkPass.CHUNK, BIG - chunk * ChunkPass.CHUNK);
        int start = ChunkPass.sampleStart(chunk, n, TrimElection.SAMPLE_EVERY);
        int at = i % ChunkPass.CHUNK;
        return at >= start && at < start + ChunkPass.sampled(n, TrimElection.SAMPLE_EVERY);
    }

    private static float[] fill(int n, IntToDoubleFunction f) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) f.applyAsDouble(i);
        }
        return v;
    }

    private static MergeFiles.Opened open(List<Path> paths) {
        return new MergeFiles.Opened(paths);
    }
}
