package dev.surgeon.ops.merge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MergeLinesTest {
    @TempDir
    Path tmp;

    private static final String[] NAMES = {"model.embed_tokens.weight", "model.layers.0.mlp.up_proj.weight",
            "model.layers.1.mlp.up_proj.weight", "model.layers.2.mlp.up_proj.weight", "model.norm.weight", "lm_head.weight"};

    private Path model(String file, float... perTensor) throws Exception {
        Map<String, float[]> m = new LinkedHashMap<>();
        for (int i = 0; i < NAMES.length; i++) {
            m.put(NAMES[i], new float[] {perTensor[2 * i], perTensor[2 * i + 1]});
        }
        return MergeFiles.model(tmp.resolve(file), m);
    }

    @Test
    void taskArithmeticAlphaIsOneOverTAndBlocksFollowTheSchedule() throws Exception {
        Path base = model("b.safetensors", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        Path f1 = model("1.safetensors", 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2);
        Path f2 = model("2.safetensors", 3, -4, 3, -4, 3, -4, 3, -4, 3, -4, 3, -4);
        MergeFiles.Opts o = new MergeFiles.Opts("task-arithmetic");
        o.lines = true;
        o.beta = 0.6;
        Path out = tmp.resolve("out.safetensors");
        MergePlan plan = MergeFiles.merge(out, o, 2, base, f1, f2);
        assertThat(plan.lines().alpha()).isEqualTo(0.5);
        assertThat(plan.statistics()).isNull(); // no pass needed
        // tau_MTL = [4, -2] everywhere; lambda: outside blocks 0.5, blocks 0.5, 0.8, 1.1
        Map<String, float[]> w = MergeFiles.read(out);
        double[] expected = {0.5, 0.5, 0.8, 1.1, 0.5, 0.5};
        for (int i = 0; i < NAMES.length; i++) {
            assertThat(w.get(NAMES[i])[0]).as(NAMES[i]).isCloseTo((float) (4 * expected[i]), within(1e-6f));
            assertThat(w.get(NAMES[i])[1]).as(NAMES[i]).isCloseTo((float) (-2 * expected[i]), within(1e-6f));
            assertThat(plan.facts().get(NAMES[i]).scale()).isCloseTo(expected[i], within(1e-12));
        }
        assertThat(plan.blockScale(2)).isCloseTo(1.1, within(1e-12));
    }

    @Test
    void weightedTaskArithmeticAlphaComesFromTheL1Norms() throws Exception {
        Path base = model("b.safetensors", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        Path f1 = model("1.safetensors", 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2);
        Path f2 = model("2.safetensors", 3, -4, 3, -4, 3, -4, 3, -4, 3, -4, 3, -4);
        MergeFiles.Opts o = new MergeFiles.Opts("task-arithmetic");
        o.lines = true;
        o.weights = "1,3";
        MergePlan plan = MergeFiles.merge(tmp.resolve("out.safetensors"), o, 2, base, f1, f2);
        // per coordinate pair: |1+3| + |2-4| = 6 for the sum; |1+9| + |2-12| = 20 weighted; 6 tensors each
        assertThat(plan.statistics().l1SumOfTaskVectors()).isCloseTo(36, within(1e-9));
        assertThat(plan.statistics().l1Merged()).isCloseTo(120, within(1e-9));
        assertThat(plan.lines().alpha()).isCloseTo(0.5 * 36 / 120, within(1e-12));
        assertThat(plan.lines().beta()).isEqualTo(0.5);
    }

    @Test
    void tiesAlphaUsesTheUntrimmedSumAndTheMergedVector() throws Exception {
        // no trim (density 1): coordinate 0 = {1, 3} -> mean 2, coordinate 1 = {2, -4} -> sum -2, mean -4
        Path base = model("b.safetensors", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        Path f1 = model("1.safetensors", 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2);
        Path f2 = model("2.safetensors", 3, -4, 3, -4, 3, -4, 3, -4, 3, -4, 3, -4);
        MergeFiles.Opts o = new MergeFiles.Opts("ties");
        o.lines = true;
        o.density = 1.0;
        Path out = tmp.resolve("out.safetensors");
        MergePlan plan = MergeFiles.merge(out, o, 2, base, f1, f2);
        // ||sum||_1 = 6 tensors * (4 + 2) = 36; ||tau_m||_1 = 6 * (2 + 4) = 36; alpha = 36/36/2
        assertThat(plan.lines().alpha()).isCloseTo(0.5, within(1e-12));
        float[] last = MergeFiles.read(out).get("model.layers.2.mlp.up_proj.weight");
        assertThat(last).containsExactly(new float[] {2 * 1.0f, -4 * 1.0f}, within(1e-6f)); // lambda(2) = 0.5 + 0.5
    }

    @Test
    void alphaOfAZeroMergedVectorFallsBackToOneOverT() {
        assertThat(MergeLines.alpha(4, 0, 0)).isEqualTo(0.25);
        assertThat(MergeLines.alpha(2, 10, 4)).isEqualTo(1.25);
        assertThat(MergeLines.uniformAlpha(3, 1)).isEqualTo(1.0 / 3);
        assertThat(MergeLines.uniformAlpha(2, 0.5)).isEqualTo(1.0); // --normalize with equal weights
    }

    @Test
    void scheduleIsTheSharedLinesSchedule() {
        var l = MergeLines.schedule(0.125, 0.5, 12);
        assertThat(l.lambda(0)).isEqualTo(0.125);
        assertThat(l.lambda(11)).isEqualTo(0.625);
        assertThat(l.lambda(-1)).isEqualTo(0.125);
        assertThat(MergeLines.schedule(0.2, 0.3, 1).lambda(0)).isCloseTo(0.5, within(1e-12));
    }
}
