package dev.surgeon.ops.scale;

import dev.surgeon.ops.content.Elementwise;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LinesTest {
    @Test
    void methodsCheck() {
        Lines l = Lines.of(0.125, 0.5, 12);
        assertThat(l.lambda(0)).isEqualTo(0.125);
        assertThat(l.lambda(11)).isEqualTo(0.625);
        assertThat(l.lambda(-1)).isEqualTo(0.125);
        for (int b = 0; b < 12; b++) {
            assertThat(l.lambda(b)).isEqualTo(0.125 + 0.5 * b / 11);
        }
    }

    @Test
    void betaDefaultsToOneMinusAlpha() {
        Lines l = Lines.of(0.1, null, 24);
        assertThat(l.beta()).isEqualTo(0.9);
        assertThat(l.lambda(23)).isEqualTo(1.0);
        assertThat(l.lambda(0)).isEqualTo(0.1);
    }

    @Test
    void oneBlockGetsAlphaPlusBetaAndNoBlocksOnlyAlpha() {
        assertThat(Lines.of(0.25, 0.5, 1).lambda(0)).isEqualTo(0.75);
        Lines none = Lines.of(0.25, 0.5, 0);
        assertThat(none.lambda(-1)).isEqualTo(0.25);
        assertThatThrownBy(() -> none.lambda(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void kernelComputesBasePlusLambdaTimesTaskVectorAndIsExactAtZeroAndOne() {
        float[] base = {1f, -2f, 0.5f, 3e-8f};
        float[] ft = {1.5f, -1f, 0.25f, -7f};
        float[] out = new float[4];
        Lines.kernel(0.25).apply(new float[][] {base, ft}, out, 4, 0);
        for (int i = 0; i < 4; i++) {
            assertThat((double) out[i]).isCloseTo(base[i] + 0.25 * ((double) ft[i] - base[i]), org.assertj.core.data.Offset.offset(1e-6));
        }
        Elementwise.Kernel zero = Lines.kernel(0);
        zero.apply(new float[][] {base, ft}, out, 4, 0);
        assertThat(out).containsExactly(base);
        Lines.kernel(1).apply(new float[][] {base, ft}, out, 4, 0);
        assertThat(out).containsExactly(ft);
    }
}
