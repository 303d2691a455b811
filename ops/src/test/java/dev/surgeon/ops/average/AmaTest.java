package dev.surgeon.ops.average;

import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.layers.Kind;
import dev.surgeon.io.layers.Role;
import dev.surgeon.io.layers.TensorRole;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

class AmaTest {
    private static TensorRole role(int block, Role r, Kind k) {
        return new TensorRole(block, r, k, false, "", "llama");
    }

    private static final long[] MATRIX = {8, 8};
    private static final long[] VECTOR = {8};

    @Test
    void plainGivesEveryTensorTheWeight() {
        Ama a = Ama.plain(0.8);
        assertThat(a.weightOf(role(-1, Role.EMBED, Kind.WEIGHT), MATRIX)).isEqualTo(0.8);
        assertThat(a.weightOf(role(3, Role.NORM, Kind.WEIGHT), VECTOR)).isEqualTo(0.8);
        assertThat(a.blockWeight(5)).isEqualTo(0.8);
        assertThatThrownBy(() -> Ama.plain(1.01)).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> Ama.plain(Double.NaN)).isInstanceOf(UsageException.class);
    }

    @Test
    void partwiseRules() {
        Ama a = Ama.partwise(0.5, Parts.ofPivots(new int[] {1}, 4), new double[] {0.9, 0.1});
        assertThat(a.weightOf(role(-1, Role.EMBED, Kind.WEIGHT), MATRIX)).isEqualTo(0.9); // part 0
        assertThat(a.weightOf(role(-1, Role.NORM, Kind.WEIGHT), VECTOR)).isEqualTo(0.5); // final norm: global
        assertThat(a.weightOf(role(-1, Role.HEAD, Kind.WEIGHT), MATRIX)).isEqualTo(0.5); // lm_head: global
        assertThat(a.weightOf(role(1, Role.NORM, Kind.WEIGHT), VECTOR)).isEqualTo(0.9); // block 1 = pivot: part 0
        assertThat(a.weightOf(role(2, Role.ATTN_Q, Kind.BIAS), VECTOR)).isEqualTo(0.1);
        assertThatThrownBy(() -> Ama.partwise(0.5, Parts.ofPivots(new int[] {1}, 4), new double[] {0.9}))
                .isInstanceOf(UsageException.class).hasMessageContaining("2 parts");
        assertThatThrownBy(() -> Ama.partwise(0.5, Parts.ofPivots(new int[] {1}, 4), new double[] {0.9, 1.1}))
                .isInstanceOf(UsageException.class);
    }

    @Test
    void hmaInterpolatesOnlyLinearWeightsAndHead() {
        Ama a = Ama.hma(0.8, Parts.ofPivots(new int[] {0}, 2), new double[] {0, 0}, 0.2);
        assertThat(a.partWeights()[0]).isCloseTo(0.8, offset(1e-15));
        assertThat(a.weightOf(role(0, Role.ATTN_Q, Kind.WEIGHT), MATRIX)).isCloseTo(0.8, offset(1e-15));
        assertThat(a.weightOf(role(1, Role.MLP_DOWN, Kind.WEIGHT), MATRIX)).isCloseTo(0.8, offset(1e-15));
        assertThat(a.weightOf(role(1, Role.ATTN_QKV, Kind.WEIGHT), MATRIX)).isNotNull();
        assertThat(a.weightOf(role(-1, Role.HEAD, Kind.WEIGHT), MATRIX)).isEqualTo(0.8);
        assertThat(a.weightOf(role(0, Role.ATTN_Q, Kind.BIAS), VECTOR)).isNull();
        assertThat(a.weightOf(role(0, Role.NORM, Kind.WEIGHT), VECTOR)).isNull();
        assertThat(a.weightOf(role(-1, Role.EMBED, Kind.WEIGHT), MATRIX)).isNull();
        assertThat(a.weightOf(role(-1, Role.NORM, Kind.WEIGHT), VECTOR)).isNull();
        assertThat(a.weightOf(role(0, Role.OTHER, Kind.WEIGHT), MATRIX)).isNull();
        assertThat(a.weightOf(role(0, Role.ATTN_Q, Kind.LORA_A), MATRIX)).isNull();
        assertThat(a.warnings()).isEmpty();
    }

    @Test
    void hmaClampsWithAWarning() {
        Ama a = Ama.hma(0.1, Parts.ofPivots(new int[] {0, 1}, 3), new double[] {10, -10, -10}, 0);
        assertThat(a.partWeights()[0]).isEqualTo(0.0);
        assertThat(a.warnings()).singleElement().asString().contains("part 0").contains("clamped");
    }

    @Test
    void kernelIsExactAtTheEnds() {
        float[] pre = {1f, -3f, 0.1f};
        float[] post = {2f, 5f, -0.7f};
        float[] out = new float[3];
        Ama.kernel(0).apply(new float[][] {pre, post}, out, 3, 0);
        assertThat(out).containsExactly(pre);
        Ama.kernel(1).apply(new float[][] {pre, post}, out, 3, 0);
        assertThat(out).containsExactly(post);
        Ama.kernel(0.8).apply(new float[][] {pre, post}, out, 3, 0);
        for (int i = 0; i < 3; i++) {
            assertThat((double) out[i]).isCloseTo(0.2 * pre[i] + 0.8 * post[i], offset(1e-6));
        }
    }
}
