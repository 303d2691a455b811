package dev.surgeon.ops.merge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TaskArithmeticTest {
    @TempDir
    Path tmp;

    private Path[] models() throws Exception {
        // tau_1 = [1, 0, -2, 0], tau_2 = [0, 3, 0, -4]
        return new Path[] {
                MergeFiles.model(tmp.resolve("base.safetensors"), "w", 1, 2, 3, 4),
                MergeFiles.model(tmp.resolve("ft1.safetensors"), "w", 2, 2, 1, 4),
                MergeFiles.model(tmp.resolve("ft2.safetensors"), "w", 1, 5, 3, 0)};
    }

    @Test
    void defaultsAddEveryTaskVectorOnce() throws Exception {
        Path out = tmp.resolve("out.safetensors");
        MergeFiles.merge(out, new MergeFiles.Opts("task-arithmetic"), 1, models());
        assertThat(MergeFiles.read(out, "w")).containsExactly(2, 5, 1, 0);
    }

    @Test
    void weightsAndLambdaScaleTheSum() throws Exception {
        MergeFiles.Opts o = new MergeFiles.Opts("task-arithmetic");
        o.lambda = 0.5;
        o.weights = "1,3";
        Path out = tmp.resolve("out.safetensors");
        MergePlan plan = MergeFiles.merge(out, o, 1, models());
        // 1 + 0.5*(1 + 0), 2 + 0.5*(0 + 9), 3 + 0.5*(-2), 4 + 0.5*(-12)
        assertThat(MergeFiles.read(out, "w")).containsExactly(1.5f, 6.5f, 2f, -2f);
        assertThat(plan.facts().get("w").scale()).isEqualTo(0.5);
        assertThat(plan.facts().get("w").keptFraction()).isNull();
    }

    @Test
    void normalizeDividesByTheSumOfWeights() throws Exception {
        MergeFiles.Opts o = new MergeFiles.Opts("task-arithmetic");
        o.lambda = 0.5;
        o.weights = "1,3";
        o.normalize = true;
        Path out = tmp.resolve("out.safetensors");
        MergeFiles.merge(out, o, 1, models());
        // base + 0.5 * (tau_1 + 3 tau_2) / 4
        assertThat(MergeFiles.read(out, "w")).containsExactly(1.125f, 3.125f, 2.75f, 2.5f);
    }

    @Test
    void combineIsTheWeightedSumInDouble() {
        TaskArithmetic ta = new TaskArithmetic(new double[] {0.25, 2});
        double[] out = new double[2];
        ta.combine(new float[][] {{4, 1}, {1, -1}}, 2, 2, out);
        assertThat(out[0]).isCloseTo(3, within(1e-12));
        assertThat(out[1]).isCloseTo(-1.75, within(1e-12));
        assertThat(ta.uniform()).isFalse();
        assertThat(new TaskArithmetic(new double[] {0.5, 0.5}).uniform()).isTrue();
    }

    @Test
    void applyGivesTheNumbersOfTaskVectorsThenCombineForOneToFourTasks() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        int n = 1000;
        for (int tasks = 1; tasks <= 4; tasks++) {
            float[][] in = new float[tasks + 1][n];
            double[] c = new double[tasks];
            for (int t = 0; t <= tasks; t++) {
                for (int i = 0; i < n; i++) {
                    in[t][i] = (float) r.nextGaussian() * (t == 0 ? 1 : 1.01f) + (t == 0 ? 0 : in[0][i]);
                }
            }
            for (int t = 0; t < tasks; t++) {
                c[t] = 0.3 + r.nextDouble();
            }
            TaskArithmetic ta = new TaskArithmetic(c);
            float[] fused = new float[n];
            ta.apply(in, n, 0.7, fused);
            double[] merged = new double[n];
            ta.combine(TaskVectors.of(in, n), tasks, n, merged);
            float[] stepwise = new float[n];
            for (int i = 0; i < n; i++) {
                stepwise[i] = (float) (in[0][i] + 0.7 * merged[i]);
            }
            assertThat(fused).as("%d tasks", tasks).isEqualTo(stepwise);
        }
    }
}
