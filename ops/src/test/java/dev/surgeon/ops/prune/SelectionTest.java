package dev.surgeon.ops.prune;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Exact counts and the tie rule of {@link Selection} and the fast {@link KeyThreshold} cut. */
class SelectionTest {
    @Test
    void countIsTheFloorOfTheDecimalProduct() {
        // in doubles 0.29 * 100 = 28.999999999999996 and 0.57 * 100 = 56.99999999999999
        assertThat(Selection.countOf(100, 0.29)).isEqualTo(29);
        assertThat(Selection.countOf(100, 0.57)).isEqualTo(57);
        assertThat(Selection.countOf(10, 0.3)).isEqualTo(3);
        assertThat(Selection.countOf(7, 0.5)).isEqualTo(3);
        assertThat(Selection.countOf(0, 0.5)).isZero();
        assertThat(Selection.countOf(5, 0)).isZero();
    }

    @Test
    void rowsPruneExactlyTheirShareAndTiesGoToTheLowerColumn() {
        // row 0: all tied; row 1: distinct magnitudes with signs; row 2: a tie at the threshold
        float[] s = {
            1, 1, 1, 1, 1, 1,
            -6, 5, -4, 3, -2, 1,
            0.5f, 2, 0.5f, 3, 0.5f, 4};
        PruneMask m = new PruneMask(3, 6);
        Selection.rows(s, 3, 6, 0.5, m);
        assertThat(bits(m, 0)).isEqualTo("111000");
        assertThat(bits(m, 1)).isEqualTo("000111");
        assertThat(bits(m, 2)).isEqualTo("101010");
        for (int r = 0; r < 3; r++) {
            assertThat(m.countRow(r)).isEqualTo(3);
        }
    }

    @Test
    void matrixPrunesExactlyFloorNsWithFlatIndexTies() {
        float[] s = {3, 1, 2, 1, 1, 5, 1, 4};
        PruneMask m = new PruneMask(2, 4);
        Selection.matrix(s, Selection.countOf(8, 0.4), m); // 3 of the five 1s: flat 1, 3, 4
        assertThat(m.count()).isEqualTo(3);
        assertThat(bits(m, 0) + bits(m, 1)).isEqualTo("01011000");
    }

    @Test
    void keyThresholdMatchesSelectionMatrix() {
        float[] s = {3, -1, 2, 1, -1, 5, 1, 4, 0, -0f, 2, 2};
        for (long k = 0; k <= s.length; k++) {
            PruneMask expected = new PruneMask(3, 4);
            Selection.matrix(s, k, expected);
            KeyThreshold cut = KeyThreshold.lowest(s, s.length, k);
            assertThat(cut.mask(s, 3, 4)).as("k = " + k).isEqualTo(expected);
            float[] v = s.clone();
            assertThat(cut.apply(v, v.length)).isEqualTo(k);
            for (int i = 0; i < v.length; i++) {
                assertThat(v[i] == 0f).as("k = %d, element %d", k, i).isEqualTo(expected.pruned(i) || s[i] == 0f);
            }
        }
    }

    @Test
    void nmKeepsMMinusNInEveryAlignedGroup() {
        for (int[] nm : new int[][] {{2, 4}, {4, 8}, {1, 4}}) {
            int n = nm[0];
            int mm = nm[1];
            int rows = 5;
            int cols = mm * 3;
            float[] s = new float[rows * cols];
            java.util.SplittableRandom r = new java.util.SplittableRandom(n * 31L + mm);
            for (int i = 0; i < s.length; i++) {
                s[i] = r.nextInt(4) - 2; // many ties
            }
            PruneMask m = MaskRule.nm(n, mm).select(new PrunableTensor(null, null, rows, cols), s);
            for (int row = 0; row < rows; row++) {
                for (int g = 0; g < cols; g += mm) {
                    int pruned = 0;
                    float maxPruned = -1;
                    float minKept = Float.MAX_VALUE;
                    for (int c = g; c < g + mm; c++) {
                        float a = Math.abs(s[row * cols + c]);
                        if (m.pruned(row, c)) {
                            pruned++;
                            maxPruned = Math.max(maxPruned, a);
                        } else {
                            minKept = Math.min(minKept, a);
                        }
                    }
                    assertThat(pruned).isEqualTo(n);
                    assertThat(maxPruned).isLessThanOrEqualTo(minKept);
                }
            }
        }
    }

    private static String bits(PruneMask m, int row) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < m.cols(); c++) {
            sb.append(m.pruned(row, c) ? '1' : '0');
        }
        return sb.toString();
    }
}
