package dev.surgeon.ops.merge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class DareTest {
    @TempDir
    Path tmp;

    private static float[] gaussian(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void meanOverSeedsIsTheTaskVector() {
        // each entry becomes tau/(1-p) with probability 1-p, else 0: mean tau, variance tau^2 p/(1-p)
        double p = 0.7;
        float[] tau = {1f, -0.5f, 0.25f, 2f};
        int seeds = 20_000;
        double[] sum = new double[tau.length];
        for (int s = 0; s < seeds; s++) {
            float[] v = tau.clone();
            new Dare(p, true, s).apply("w", 0, v, v.length, 0);
            for (int i = 0; i < v.length; i++) {
                sum[i] += v[i];
            }
        }
        for (int i = 0; i < tau.length; i++) {
            double se = Math.abs(tau[i]) * Math.sqrt(p / (1 - p) / seeds);
            assertThat(Math.abs(sum[i] / seeds - tau[i])).as("entry %d", i).isLessThan(4 * se);
        }
    }

    @Test
    void keptFractionIsOneMinusTheDropRateAndKeptEntriesAreRescaled() {
        float[] tau = gaussian(100_000, 1);
        float[] v = tau.clone();
        int kept = new Dare(0.9, true, 5).apply("model.layers.0.mlp.up_proj.weight", 1, v, v.length, 0);
        double f = kept / (double) v.length;
        double se = Math.sqrt(0.1 * 0.9 / v.length);
        assertThat(Math.abs(f - 0.1)).isLessThan(4 * se);
        for (int i = 0; i < v.length; i++) {
            if (v[i] != 0) {
                assertThat(v[i]).isEqualTo((float) (tau[i] * (1 / (1 - 0.9))));
            }
        }
    }

    @Test
    void sameSeedSameResultWhateverTheChunking() {
        float[] tau = gaussian(10_000, 2);
        float[] whole = tau.clone();
        new Dare(0.5, true, 42).apply("t", 0, whole, whole.length, 0);
        float[] pieces = tau.clone();
        int[] cuts = {0, 1, 7, 4096, 5000, 9999, 10_000};
        for (int c = 0; c + 1 < cuts.length; c++) {
            int from = cuts[c];
            int n = cuts[c + 1] - from;
            float[] part = java.util.Arrays.copyOfRange(pieces, from, from + n);
            new Dare(0.5, true, 42).apply("t", 0, part, n, from);
            System.arraycopy(part, 0, pieces, from, n);
        }
        assertThat(pieces).containsExactly(whole);
    }

    @Test
    void masksDifferBetweenSeedsTasksAndTensors() {
        long a = DropMask.streamKey(0, 0, "w");
        assertThat(DropMask.streamKey(1, 0, "w")).isNotEqualTo(a);
        assertThat(DropMask.streamKey(0, 1, "w")).isNotEqualTo(a);
        assertThat(DropMask.streamKey(0, 0, "v")).isNotEqualTo(a);
        DropMask m = new DropMask(0.5);
        int same = 0;
        long b = DropMask.streamKey(0, 1, "w");
        for (int i = 0; i < 10_000; i++) {
            same += m.keeps(a, i) == m.keeps(b, i) ? 1 : 0;
        }
        assertThat(same).isBetween(4_700, 5_300); // independent streams agree about half the time
    }

    @Test
    void noRescaleKeepsValuesAndTheExtremeRatesKeepAllOrNothing() {
        float[] tau = gaussian(1000, 3);
        float[] v = tau.clone();
        new Dare(0.5, false, 0).apply("w", 0, v, v.length, 0);
        for (int i = 0; i < v.length; i++) {
            assertThat(v[i] == 0 || v[i] == tau[i]).isTrue();
        }
        float[] all = tau.clone();
        assertThat(new Dare(0, true, 0).apply("w", 0, all, all.length, 0)).isEqualTo(1000);
        assertThat(all).containsExactly(tau);
        float[] none = tau.clone();
        assertThat(new Dare(1, true, 0).apply("w", 0, none, none.length, 0)).isZero();
        assertThat(none).containsOnly(0f);
    }

    @Test
    void mergeIsDeterministicAcrossThreadsAndRuns() throws Exception {
        java.util.Map<String, float[]> base = new java.util.LinkedHashMap<>();
        java.util.Map<String, float[]> f1 = new java.util.LinkedHashMap<>();
        java.util.Map<String, float[]> f2 = new java.util.LinkedHashMap<>();
        for (int k = 0; k < 6; k++) {
            base.put("t" + k, gaussian(3000 + k, 10 + k));
            f1.put("t" + k, gaussian(3000 + k, 20 + k));
            f2.put("t" + k, gaussian(3000 + k, 30 + k));
        }
        Path[] in = {MergeFiles.model(tmp.resolve("b.safetensors"), base), MergeFiles.model(tmp.resolve("1.safetensors"), f1),
                MergeFiles.model(tmp.resolve("2.safetensors"), f2)};
        for (String then : new String[] {"task-arithmetic", "ties"}) {
            MergeFiles.Opts o = new MergeFiles.Opts("dare");
            o.dropRate = 0.6;
            o.seed = 9L;
            o.then = then;
            Path a = tmp.resolve(then + "-a.safetensors");
            Path b = tmp.resolve(then + "-b.safetensors");
            MergeFiles.merge(a, o, 1, in);
            MergeFiles.merge(b, o, 4, in);
            assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
            o.seed = 10L;
            Path c = tmp.resolve(then + "-c.safetensors");
            MergeFiles.merge(c, o, 4, in);
            assertThat(Files.readAllBytes(c)).isNotEqualTo(Files.readAllBytes(a));
        }
    }

    @Test
    void dareThenTaskArithmeticIsBasePlusTheSumOfDroppedTaskVectors() throws Exception {
        float[] base = gaussian(500, 1);
        float[] ft = gaussian(500, 2);
        MergeFiles.Opts o = new MergeFiles.Opts("dare");
        o.dropRate = 0.3;
        o.seed = 3L;
        Path out = tmp.resolve("out.safetensors");
        MergePlan plan = MergeFiles.merge(out, o, 1, MergeFiles.model(tmp.resolve("b.safetensors"), "w", base),
                MergeFiles.model(tmp.resolve("1.safetensors"), "w", ft));
        float[] w = MergeFiles.read(out, "w");
        DropMask m = new DropMask(0.3);
        long key = DropMask.streamKey(3, 0, "w");
        int kept = 0;
        for (int i = 0; i < 500; i++) {
            float tau = ft[i] - base[i];
            double dropped = m.keeps(key, i) ? (float) (tau * (1 / 0.7)) : 0;
            kept += m.keeps(key, i) ? 1 : 0;
            assertThat(w[i]).isEqualTo((float) (base[i] + dropped));
        }
        assertThat(plan.facts().get("w").keptFraction()).containsExactly(kept / 500.0);
    }
}
