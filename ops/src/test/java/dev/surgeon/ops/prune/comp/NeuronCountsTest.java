package dev.surgeon.ops.prune.comp;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Per-block neuron counts and the choice of neurons inside a block, on hand-made scores. */
class NeuronCountsTest {
    @Test
    void lowestScoresGoFirstAcrossBlocks() {
        int[] widths = {4, 4};
        double[][] scores = {{1, 2, 3, 4}, {10, 20, 30, 40}};
        // p = 3/8; cap = floor((0.375 + 0.2)·4) = 2 per block
        assertThat(NeuronCounts.byScore(widths, scores, 3)).containsExactly(2, 1);
        assertThat(NeuronCounts.byScore(widths, scores, 1)).containsExactly(1, 0);
    }

    @Test
    void theCapSpreadsRemovalWhenOneBlockScoresLowest() {
        int[] widths = {10, 10, 10};
        double[][] scores = new double[3][10];
        for (int j = 0; j < 10; j++) {
            scores[0][j] = 0.001 * j;  // block 0 looks redundant
            scores[1][j] = 1 + j;
            scores[2][j] = 2 + j;
        }
        int[] out = NeuronCounts.byScore(widths, scores, 9); // p = 0.3 → cap 5 per block
        assertThat(out[0]).isEqualTo(5);
        assertThat(Arrays.stream(out).sum()).isEqualTo(9);
        assertThat(out[1]).isGreaterThan(out[2]);
    }

    @Test
    void equalScoresGoByBlockThenIndex() {
        int[] widths = {5, 5};
        double[][] scores = {{1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}};
        assertThat(NeuronCounts.byScore(widths, scores, 2)).containsExactly(2, 0); // cap floor(0.4·5) = 2
        assertThat(NeuronCounts.byScore(widths, scores, 3)).containsExactly(2, 1); // cap floor(0.5·5) = 2
    }

    @Test
    void uniformGivesEveryBlockTheSameWidth() {
        assertThat(NeuronCounts.uniform(new int[] {8, 8, 8}, 7)).containsExactly(2, 2, 2); // width round(17/3) = 6
        assertThat(NeuronCounts.uniform(new int[] {10, 6}, 4)).containsExactly(4, 0);      // width 6
        assertThatThrownBy(() -> NeuronCounts.uniform(new int[] {10, 2}, 2)).hasMessageContaining("below the uniform");
    }

    @Test
    void removingAlmostEverythingIsRefused() {
        assertThatThrownBy(() -> NeuronCounts.byScore(new int[] {4}, new double[][] {{1, 2, 3, 4}}, 4))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void topKeepsTheHighestScoresWithTiesRemovingLowerIndicesFirst() {
        assertThat(NeuronSelection.top(new double[] {5, 1, 3, 1, 9}, 3)).containsExactly(0, 2, 4);
        assertThat(NeuronSelection.top(new double[] {2, 2, 2, 2}, 2)).containsExactly(2, 3);
        assertThat(NeuronSelection.top(new double[] {2, 2}, 0)).isEmpty();
    }

    @Test
    void iterativeSelectionKeepsTheRequestedCountAndDropsRedundantNeurons() {
        java.util.Random rnd = new java.util.Random(9);
        double[][] h = MaskTuningTest.activations(rnd);
        float[] w = MaskTuningTest.down(rnd);
        int n = MaskTuningTest.N;
        double[] g = MaskTuningTest.gramSum(h);
        double[] col = DenseMatrix.columnSquares(w, MaskTuningTest.D, n);
        for (boolean iterative : new boolean[] {false, true}) {
            int[] kept = NeuronSelection.obs(g, h.length, col, n, 7, iterative);
            assertThat(kept).hasSize(7).isSorted().doesNotHaveDuplicates();
            // of the dependent trio 0, 1, 9 at least one goes: together they carry one neuron's worth twice
            assertThat(Arrays.stream(kept).filter(j -> j == 0 || j == 1 || j == 9).count()).isLessThan(3);
        }
    }
}
