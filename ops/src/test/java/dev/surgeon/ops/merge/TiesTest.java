package dev.surgeon.ops.merge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TiesTest {
    @TempDir
    Path tmp;

    private static final float[] ZEROS = new float[10];

    @Test
    void trimKeepsTheKLargestPerTaskWithTiesAtTheThreshold() throws Exception {
        // n = 10, density 0.2 -> k = 2.
        // task 1: |tau| sorted 0.5, 0.4, 0.4, ... -> threshold 0.4, and both 0.4s are kept (3 entries)
        // task 2: 0.7, 0.6, 0.4 ... -> threshold 0.6 (2 entries)
        float[] t1 = {0.5f, -0.4f, 0.4f, 0.1f, 0f, -0.2f, 0.05f, 0.3f, -0.3f, 0f};
        float[] t2 = {-0.6f, 0.4f, -0.1f, 0.2f, 0.7f, 0f, 0f, 0.1f, 0f, 0f};
        MergeFiles.Opts o = new MergeFiles.Opts("ties");
        o.density = 0.2;
        Path out = tmp.resolve("out.safetensors");
        MergePlan plan = MergeFiles.merge(out, o, 2,
                MergeFiles.model(tmp.resolve("b.safetensors"), "w", ZEROS),
                MergeFiles.model(tmp.resolve("1.safetensors"), "w", t1),
                MergeFiles.model(tmp.resolve("2.safetensors"), "w", t2));
        assertThat(plan.trim().keepCount()).isEqualTo(2);
        assertThat(plan.trim().threshold(0)).isEqualTo(0.4f);
        assertThat(plan.trim().threshold(1)).isEqualTo(0.6f);
        // trimmed: t1 = [0.5, -0.4, 0.4, 0...], t2 = [-0.6, 0, 0, 0, 0.7, 0...]
        // coordinate 0: sum -0.1 -> elected -, disjoint mean of the negative entries = -0.6
        assertThat(MergeFiles.read(out, "w")).containsExactly(-0.6f, -0.4f, 0.4f, 0f, 0.7f, 0f, 0f, 0f, 0f, 0f);
        assertThat(plan.facts().get("w").keptFraction()).containsExactly(0.3, 0.2);
    }

    @Test
    void thresholdIsOverTheWholeModelNotPerTensor() throws Exception {
        // n = 5, density 0.4 -> k = 2: the two largest are both in "a", so "b" is trimmed entirely
        Map<String, float[]> base = new LinkedHashMap<>();
        base.put("a", new float[2]);
        base.put("b", new float[3]);
        Map<String, float[]> ft = new LinkedHashMap<>();
        ft.put("a", new float[] {0.9f, -0.8f});
        ft.put("b", new float[] {0.1f, 0.2f, -0.05f});
        MergeFiles.Opts o = new MergeFiles.Opts("ties");
        o.density = 0.4;
        Path out = tmp.resolve("out.safetensors");
        MergeFiles.merge(out, o, 2, MergeFiles.model(tmp.resolve("b.safetensors"), base),
                MergeFiles.model(tmp.resolve("1.safetensors"), ft));
        assertThat(MergeFiles.read(out, "a")).containsExactly(0.9f, -0.8f);
        assertThat(MergeFiles.read(out, "b")).containsExactly(0f, 0f, 0f);
    }

    @Test
    void zeroSumCoordinateTakesThePositiveMajoritySign() throws Exception {
        // no trim; coordinate sums: 0 (0.3 - 0.3), +0.6, +0.4, -0.3: two +, one - -> majority +
        float[] t1 = {0.3f, 0.2f, 0.5f, -0.1f};
        float[] t2 = {-0.3f, 0.4f, -0.1f, -0.2f};
        Path out = tmp.resolve("out.safetensors");
        MergeFiles.Opts o = new MergeFiles.Opts("ties");
        o.density = 1.0;
        MergePlan plan = MergeFiles.merge(out, o, 1, MergeFiles.model(tmp.resolve("b.safetensors"), "w", 0, 0, 0, 0),
                MergeFiles.model(tmp.resolve("1.safetensors"), "w", t1), MergeFiles.model(tmp.resolve("2.safetensors"), "w", t2));
        SignElection e = plan.statistics().election();
        assertThat(e.majority()).isEqualTo(1);
        assertThat(e.positive()).isEqualTo(2);
        assertThat(e.negative()).isEqualTo(1);
        assertThat(e.cancelled()).isEqualTo(1);
        // disjoint means: + entries of 0 -> 0.3; (0.2 + 0.4)/2; 0.5 alone (the -0.1 disagrees); (-0.1 - 0.2)/2
        float[] w = MergeFiles.read(out, "w");
        assertThat(w[0]).isEqualTo(0.3f);
        assertThat(w[1]).isCloseTo(0.3f, within(1e-7f));
        assertThat(w[2]).isEqualTo(0.5f);
        assertThat(w[3]).isCloseTo(-0.15f, within(1e-7f));
    }

    @Test
    void zeroSumCoordinateTakesTheNegativeMajoritySignAndLambdaScales() throws Exception {
        float[] base = {1, 1, 1, 1};
        float[] t1 = {0.25f, -0.25f, -0.5f, 0.125f};
        float[] t2 = {-0.25f, -0.5f, 0.125f, 0.25f};
        float[] f1 = new float[4];
        float[] f2 = new float[4];
        for (int i = 0; i < 4; i++) {
            f1[i] = base[i] + t1[i];
            f2[i] = base[i] + t2[i];
        }
        Path out = tmp.resolve("out.safetensors");
        MergeFiles.Opts o = new MergeFiles.Opts("ties");
        o.density = 1.0;
        o.lambda = 0.5;
        MergePlan plan = MergeFiles.merge(out, o, 1, MergeFiles.model(tmp.resolve("b.safetensors"), "w", base),
                MergeFiles.model(tmp.resolve("1.safetensors"), "w", f1), MergeFiles.model(tmp.resolve("2.safetensors"), "w", f2));
        assertThat(plan.statistics().election().majority()).isEqualTo(-1);
        // tau_m = [-0.25, -0.375, -0.5, 0.1875]; theta = 1 + 0.5 * tau_m
        assertThat(MergeFiles.read(out, "w")).containsExactly(0.875f, 0.8125f, 0.75f, 1.09375f);
    }

    @Test
    void disjointMeanIgnoresZerosAndDisagreeingEntries() {
        // tau[task][coordinate]; coordinate 0 = {0.2, 0.4, -0.5} (sum +0.1), 1 = {0, 0, 0.6}, 2 = {-1, 0, 0}
        float[][] tau = {{0.2f, 0f, -1f}, {0.4f, 0f, 0f}, {-0.5f, 0.6f, 0f}};
        double[] out = new double[3];
        new Ties(1).combine(tau, 3, 3, out);
        assertThat(out[0]).isCloseTo(((double) 0.2f + 0.4f) / 2.0, within(1e-12)); // the -0.5 disagrees
        assertThat(out[1]).isCloseTo(0.6f, within(1e-12)); // the zeros do not dilute the mean
        assertThat(out[2]).isEqualTo(-1.0f);
        assertThat(Ties.disjointMean(tau, 3, 0, -1)).isCloseTo(-0.5f, within(1e-12));
        assertThat(Ties.disjointMean(new float[][] {{0f}, {0f}}, 2, 0, 1)).isZero();
    }

    @Test
    void electionUsesMassNotCount() {
        // one large negative outweighs two small positives: sign of the sum, as the authors' resolve_sign
        float[][] tau = {{0.1f}, {0.1f}, {-0.5f}};
        double[] out = new double[1];
        new Ties(1).combine(tau, 3, 1, out);
        assertThat(out[0]).isCloseTo(-0.5, within(1e-7));
    }

    @Test
    void balancedModelAveragesNegativesAtZeroSumCoordinatesLikeTheAuthorsCode() {
        float[][] tau = {{0.5f}, {-0.5f}};
        double[] out = new double[1];
        new Ties(0).combine(tau, 2, 1, out);
        assertThat(out[0]).isEqualTo(-0.5);
        new Ties(1).combine(tau, 2, 1, out);
        assertThat(out[0]).isEqualTo(0.5);
    }

    @Test
    void densityZeroKeepsNothingAndGivesTheBase() throws Exception {
        Path out = tmp.resolve("out.safetensors");
        MergeFiles.Opts o = new MergeFiles.Opts("ties");
        o.density = 0.0;
        MergePlan plan = MergeFiles.merge(out, o, 1, MergeFiles.model(tmp.resolve("b.safetensors"), "w", 1, 2, 3),
                MergeFiles.model(tmp.resolve("1.safetensors"), "w", 4, 5, 6));
        assertThat(plan.trim().keepCount()).isZero();
        assertThat(plan.trim().threshold(0)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(MergeFiles.read(out, "w")).containsExactly(1, 2, 3);
    }

    @Test
    void multiChunkTensorsMatchASortBasedMergeForAnyThreadCount() throws Exception {
        // 600 000 elements: three chunks of the pass reader and of the writer; values repeat, so ties occur
        int big = 600_000;
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        Map<String, float[]> base = new LinkedHashMap<>();
        Map<String, float[]> f1 = new LinkedHashMap<>();
        Map<String, float[]> f2 = new LinkedHashMap<>();
        for (String name : new String[] {"big", "small"}) {
            int n = name.equals("big") ? big : 1000;
            float[] b = new float[n];
            float[] a = new float[n];
            float[] c = new float[n];
            for (int i = 0; i < n; i++) {
                b[i] = (float) r.nextGaussian();
                a[i] = b[i] + (r.nextInt(41) - 20) / 256f; // tau on a grid of 1/256: many equal magnitudes
                c[i] = b[i] + (float) (r.nextGaussian() * 0.05);
            }
            base.put(name, b);
            f1.put(name, a);
            f2.put(name, c);
        }
        Path pb = MergeFiles.model(tmp.resolve("b.safetensors"), base);
        Path p1 = MergeFiles.model(tmp.resolve("1.safetensors"), f1);
        Path p2 = MergeFiles.model(tmp.resolve("2.safetensors"), f2);
        MergeFiles.Opts o = new MergeFiles.Opts("ties");
        o.density = 0.3;
        Path one = tmp.resolve("one.safetensors");
        Path three = tmp.resolve("three.safetensors");
        MergePlan plan = MergeFiles.merge(one, o, 1, pb, p1, p2);
        MergeFiles.merge(three, o, 3, pb, p1, p2);
        assertThat(java.nio.file.Files.readAllBytes(one)).isEqualTo(java.nio.file.Files.readAllBytes(three));

        // independent: thresholds by sorting, then trim, elect, disjoint mean
        int n = big + 1000;
        long k = (long) Math.floor(0.3 * n);
        float[][] thr = new float[1][2];
        java.util.List<Map<String, float[]>> fts = java.util.List.of(f1, f2);
        for (int t = 0; t < 2; t++) {
            float[] mags = new float[n];
            int j = 0;
            for (String name : base.keySet()) {
                for (int i = 0; i < base.get(name).length; i++) {
                    mags[j++] = Math.abs(fts.get(t).get(name)[i] - base.get(name)[i]);
                }
            }
            java.util.Arrays.sort(mags);
            thr[0][t] = mags[(int) (n - k)];
            assertThat(plan.trim().threshold(t)).isEqualTo(thr[0][t]);
        }
        long pos = 0;
        long neg = 0;
        Map<String, float[][]> trimmed = new LinkedHashMap<>();
        for (String name : base.keySet()) {
            float[] b = base.get(name);
            float[][] tr = new float[2][b.length];
            for (int i = 0; i < b.length; i++) {
                double sum = 0;
                for (int t = 0; t < 2; t++) {
                    float tau = fts.get(t).get(name)[i] - b[i];
                    tr[t][i] = Math.abs(tau) >= thr[0][t] ? tau : 0f;
                    sum += tr[t][i];
                }
                pos += sum > 0 ? 1 : 0;
                neg += sum < 0 ? 1 : 0;
            }
            trimmed.put(name, tr);
        }
        int majority = Long.signum(pos - neg);
        Map<String, float[]> got = MergeFiles.read(one);
        for (String name : base.keySet()) {
            float[] b = base.get(name);
            float[][] tr = trimmed.get(name);
            for (int i = 0; i < b.length; i++) {
                double sum = tr[0][i] + (double) tr[1][i];
                int sign = sum > 0 ? 1 : sum < 0 ? -1 : majority;
                double acc = 0;
                int c = 0;
                for (int t = 0; t < 2; t++) {
                    if (sign > 0 ? tr[t][i] > 0 : tr[t][i] < 0) {
                        acc += tr[t][i];
                        c++;
                    }
                }
                float expected = (float) (b[i] + (c == 0 ? 0 : acc / c));
                if (got.get(name)[i] != expected) {
                    throw new AssertionError(name + "[" + i + "]: " + got.get(name)[i] + " != " + expected);
                }
            }
        }
    }
}
