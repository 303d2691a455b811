package dev.surgeon.ops.merge;

import dev.surgeon.io.layers.Kind;
import dev.surgeon.io.layers.Role;
import dev.surgeon.io.layers.TensorRole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SlerpTest {
    @TempDir
    Path tmp;

    private static Slerp.Coefficients of(float[] v0, float[] v1, double t) {
        Slerp.Sums s = new Slerp.Sums();
        s.add(v0, v1, v0.length);
        return Slerp.coefficients(s, t);
    }

    private static double[] apply(Slerp.Coefficients c, float[] v0, float[] v1) {
        double[] r = new double[v0.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = c.c0() * v0[i] + c.c1() * v1[i];
        }
        return r;
    }

    @Test
    void orthogonalUnitVectorsAtHalfGiveTheirSumOverRootTwo() {
        float[] v0 = {1, 0, 0};
        float[] v1 = {0, 1, 0};
        Slerp.Coefficients c = of(v0, v1, 0.5);
        assertThat(c.linear()).isFalse();
        double h = 1 / Math.sqrt(2);
        assertThat(apply(c, v0, v1)).containsExactly(new double[] {h, h, 0}, within(1e-12));
    }

    @Test
    void theAngleComesFromNormalisedCopiesButTheOriginalsAreInterpolated() {
        float[] v0 = {3, 0};
        float[] v1 = {0, 5};
        Slerp.Coefficients c = of(v0, v1, 0.5);
        double h = 1 / Math.sqrt(2);
        assertThat(apply(c, v0, v1)).containsExactly(new double[] {3 * h, 5 * h}, within(1e-12));
        // t = 1/3 of a right angle: sin(pi/3), sin(pi/6)
        Slerp.Coefficients third = of(v0, v1, 1.0 / 3);
        assertThat(third.c0()).isCloseTo(Math.sin(Math.PI / 3), within(1e-12));
        assertThat(third.c1()).isCloseTo(Math.sin(Math.PI / 6), within(1e-12));
    }

    @Test
    void collinearVectorsInterpolateLinearly() {
        float[] v0 = {1, 2, 3};
        float[] v1 = {2, 4, 6};
        Slerp.Coefficients c = of(v0, v1, 0.25);
        assertThat(c.linear()).isTrue();
        assertThat(apply(c, v0, v1)).containsExactly(new double[] {1.25, 2.5, 3.75}, within(1e-12));
        Slerp.Coefficients anti = of(v0, new float[] {-1, -2, -3}, 0.5);
        assertThat(anti.linear()).isTrue();
        assertThat(anti.cos()).isCloseTo(-1, within(1e-12));
    }

    @Test
    void endpointsAreTheInputs() {
        float[] v0 = {1, 2};
        float[] v1 = {-2, 1.5f};
        assertThat(apply(of(v0, v1, 0), v0, v1)).containsExactly(new double[] {1, 2}, within(1e-12));
        assertThat(apply(of(v0, v1, 1), v0, v1)).containsExactly(new double[] {-2, 1.5}, within(1e-12));
    }

    @Test
    void aNearZeroVectorIsNotNormalised() {
        // v0 = 0: cos = 0 -> a right angle, c0 = c1 = sin(pi/4) (as mergekit's normalize(eps) does)
        Slerp.Coefficients c = of(new float[] {0, 0}, new float[] {0, 2}, 0.5);
        assertThat(c.cos()).isZero();
        assertThat(c.c1()).isCloseTo(Math.sin(Math.PI / 4), within(1e-12));
    }

    @Test
    void depthScheduleInterpolatesTheListOverBlocks() {
        DepthSchedule s = new DepthSchedule(new double[] {0, 1, 0.5}, 5);
        assertThat(s.atBlock(0)).isEqualTo(0);
        assertThat(s.atBlock(1)).isCloseTo(0.5, within(1e-12));
        assertThat(s.atBlock(2)).isEqualTo(1);
        assertThat(s.atBlock(3)).isCloseTo(0.75, within(1e-12));
        assertThat(s.atBlock(4)).isEqualTo(0.5);
        assertThat(s.of(new TensorRole(-1, Role.EMBED, Kind.WEIGHT, false, "", "llama"))).isEqualTo(0);
        assertThat(s.of(new TensorRole(-1, Role.HEAD, Kind.WEIGHT, false, "", "llama"))).isEqualTo(0.5);
        assertThat(s.of(new TensorRole(-1, Role.NORM, Kind.WEIGHT, false, "", "llama"))).isEqualTo(0.5);
        assertThat(new DepthSchedule(new double[] {0.3}, 5).atBlock(3)).isEqualTo(0.3);
        assertThat(new DepthSchedule(new double[] {0.2, 0.8}, 1).atBlock(0)).isEqualTo(0.8);
    }

    @Test
    void tListOverDepthThroughThePlan() throws Exception {
        // three llama blocks, t = 0,1: block l gets l/2; embeddings t = 0 (BASE), lm_head t = 1 (FT)
        Map<String, float[]> base = new LinkedHashMap<>();
        Map<String, float[]> ft = new LinkedHashMap<>();
        base.put("model.embed_tokens.weight", new float[] {1, 0});
        ft.put("model.embed_tokens.weight", new float[] {0, 1});
        for (int b = 0; b < 3; b++) {
            base.put("model.layers." + b + ".mlp.up_proj.weight", new float[] {1, 0});
            ft.put("model.layers." + b + ".mlp.up_proj.weight", new float[] {0, 1});
        }
        base.put("model.norm.weight", new float[] {1, 1});
        ft.put("model.norm.weight", new float[] {2, 2});
        base.put("lm_head.weight", new float[] {1, 0});
        ft.put("lm_head.weight", new float[] {0, 1});
        MergeFiles.Opts o = new MergeFiles.Opts("slerp");
        o.t = "0,1";
        Path out = tmp.resolve("out.safetensors");
        MergePlan plan = MergeFiles.merge(out, o, 2, MergeFiles.model(tmp.resolve("b.safetensors"), base),
                MergeFiles.model(tmp.resolve("f.safetensors"), ft));
        assertThat(plan.blockCount()).isEqualTo(3);
        Map<String, float[]> w = MergeFiles.read(out);
        assertThat(w.get("model.embed_tokens.weight")).containsExactly(1, 0);
        assertThat(w.get("model.layers.0.mlp.up_proj.weight")).containsExactly(1, 0);
        float h = (float) (1 / Math.sqrt(2));
        assertThat(w.get("model.layers.1.mlp.up_proj.weight")).containsExactly(new float[] {h, h}, within(1e-7f));
        assertThat(w.get("model.layers.2.mlp.up_proj.weight")[1]).isCloseTo(1f, within(1e-7f));
        assertThat(w.get("model.layers.2.mlp.up_proj.weight")[0]).isCloseTo(0f, within(1e-7f));
        assertThat(w.get("lm_head.weight")[1]).isCloseTo(1f, within(1e-7f));
        assertThat(w.get("model.norm.weight")).containsExactly(2, 2); // collinear: linear at t = 1
        assertThat(plan.facts().get("model.norm.weight").slerp().linear()).isTrue();
        assertThat(plan.blockT(1)).isEqualTo(0.5);
    }
}
