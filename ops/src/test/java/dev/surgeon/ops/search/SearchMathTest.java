package dev.surgeon.ops.search;

import dev.surgeon.io.error.UsageException;
import dev.surgeon.ops.average.HmaRatios;
import dev.surgeon.ops.average.Parts;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The search objectives' arithmetic and the window thinning, without a model. */
class SearchMathTest {
    @Test
    void keptAndRecoveredFractions() {
        // target: base 2.0, ft 1.0, edit 1.25 -> 75% of the gain kept
        assertThat(LinesSearch.fraction(2.0, 1.25, 1.0)).isCloseTo(0.75, within(1e-12));
        // control: ft 2.0, base 1.5, edit 1.75 -> half recovered
        assertThat(LinesSearch.fraction(2.0, 1.75, 1.5)).isCloseTo(0.5, within(1e-12));
        assertThat(LinesSearch.fraction(1.0, 0.5, 1.0)).isZero();
    }

    @Test
    void penaltyIsZeroAtEqualRatiosAndWeightsTheMiddleMost() {
        Parts parts = Parts.ofBlocks(3, 6); // [0,2) [2,4) [4,6): middle blocks 0, 2, 4; L/2 = 3
        assertThat(HmaSearch.penalty(parts, new double[] {0.2, 0.2, 0.2}, 0.2)).isZero();
        double w0 = 25 / (3.0 + 1);
        double w1 = 25 / (1.0 + 1);
        double w2 = 25 / (1.0 + 1);
        assertThat(HmaSearch.penalty(parts, new double[] {0.3, 0.1, 0.2}, 0.2))
                .isCloseTo(1e-4 * (w0 * 0.1 + w1 * 0.1 + w2 * 0), within(1e-15));
        assertThat(HmaSearch.depthWeight(3, 6)).isEqualTo(25.0);
        // the start logit gives equal ratios r_k = r
        double s = HmaRatios.startLogit(0.2);
        for (double r : HmaRatios.preWeights(new double[] {s, s, s}, 0.2, 0.2)) {
            assertThat(r).isCloseTo(0.2, within(1e-12));
        }
    }

    @Test
    void windowsAreThinnedEvenly() {
        int[] ids = new int[10 * 5 + 3];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        int[][] all = Nll.windows(ids, 4, 100);
        assertThat(all).hasNumberOfRows(10);
        int[][] some = Nll.windows(ids, 4, 4);
        assertThat(some).hasNumberOfRows(4);
        assertThat(some[0][0]).isEqualTo(0);
        assertThat(some[1][0]).isEqualTo(2 * 5);
        assertThat(some[2][0]).isEqualTo(5 * 5);
        assertThat(some[3][0]).isEqualTo(7 * 5);
        assertThatThrownBy(() -> Nll.windows(ids, 4, 0)).isInstanceOf(UsageException.class);
    }
}
