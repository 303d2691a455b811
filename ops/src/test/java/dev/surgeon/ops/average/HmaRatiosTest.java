package dev.surgeon.ops.average;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

class HmaRatiosTest {
    @Test
    void handComputedRatios() {
        // logits 0, 0, ln 3: σ = 0.5, 0.5, 0.75; +ε 0.2 → 0.7, 0.7, 0.95 (sum 2.35); r = 0.2, K = 3
        double[] r = HmaRatios.preWeights(new double[] {0, 0, Math.log(3)}, 0.2, 0.2);
        assertThat(r[0]).isCloseTo(0.2 * 3 * 0.7 / 2.35, offset(1e-15));
        assertThat(r[1]).isCloseTo(0.2 * 3 * 0.7 / 2.35, offset(1e-15));
        assertThat(r[2]).isCloseTo(0.2 * 3 * 0.95 / 2.35, offset(1e-15));
    }

    @Test
    void sigmoidIsStableAndStartLogitInvertsIt() {
        assertThat(HmaRatios.sigmoid(0)).isEqualTo(0.5);
        assertThat(HmaRatios.sigmoid(1000)).isEqualTo(1.0);
        assertThat(HmaRatios.sigmoid(-1000)).isEqualTo(0.0);
        assertThat(HmaRatios.sigmoid(HmaRatios.startLogit(0.2))).isCloseTo(0.2, offset(1e-15));
    }
}
