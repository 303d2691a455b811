package dev.surgeon.ops.prune;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever the scores (ties included), every comparison group prunes exactly ⌊n·S⌋, the lowest first. */
class SelectionProperties {
    @Property(tries = 300)
    void rowsAndMatrixCountsAreExact(@ForAll @IntRange(min = 1, max = 9) int rows, @ForAll @IntRange(min = 1, max = 17) int cols,
                                     @ForAll @DoubleRange(min = 0, max = 0.99) double ratio,
                                     @ForAll @IntRange(min = 1, max = 6) int distinct, @ForAll long seed) {
        float[] s = scores(rows * cols, distinct, seed);
        PruneMask byRow = new PruneMask(rows, cols);
        Selection.rows(s, rows, cols, ratio, byRow);
        long perRow = Selection.countOf(cols, ratio);
        for (int r = 0; r < rows; r++) {
            assertThat(byRow.countRow(r)).isEqualTo(perRow);
            assertLowestFirst(s, byRow, r * cols, cols);
        }
        PruneMask whole = MaskRule.perMatrix(ratio).select(new PrunableTensor(null, null, rows, cols), s);
        assertThat(whole.count()).isEqualTo(Selection.countOf((long) rows * cols, ratio));
        assertLowestFirst(s, whole, 0, s.length);
        KeyThreshold cut = KeyThreshold.lowest(s, s.length, whole.count());
        assertThat(cut.mask(s, rows, cols)).isEqualTo(whole);
    }

    @Property(tries = 300)
    void nmPrunesTheNLowestOfEveryGroupWhateverItsSize(@ForAll @IntRange(min = 1, max = 4) int rows,
                                                       @ForAll @IntRange(min = 2, max = 40) int m,
                                                       @ForAll @IntRange(min = 1, max = 3) int groups,
                                                       @ForAll @IntRange(min = 0, max = 39) int nSeed,
                                                       @ForAll @IntRange(min = 1, max = 6) int distinct, @ForAll long seed) {
        int n = nSeed % m; // 0 ≤ n < m; m from 2 to 40 spans both sides of the small-group path
        int cols = m * groups;
        float[] s = scores(rows * cols, distinct, seed);
        PruneMask mask = new PruneMask(rows, cols);
        Selection.nm(s, rows, cols, n, m, mask);
        for (int g = 0; g < rows * groups; g++) {
            long inGroup = 0;
            for (int j = 0; j < m; j++) {
                inGroup += mask.pruned((long) g * m + j) ? 1 : 0;
            }
            assertThat(inGroup).isEqualTo(n);
            assertLowestFirst(s, mask, g * m, m);
        }
    }

    /** Every pruned score ≤ every kept one; among equal scores the pruned ones come first. */
    private static void assertLowestFirst(float[] s, PruneMask m, int from, int len) {
        for (int i = from; i < from + len; i++) {
            for (int j = from; j < from + len; j++) {
                if (m.pruned(i) && !m.pruned(j)) {
                    float a = Math.abs(s[i]);
                    float b = Math.abs(s[j]);
                    assertThat(a <= b).isTrue();
                    if (a == b) {
                        assertThat(i).isLessThan(j);
                    }
                }
            }
        }
    }

    private static float[] scores(int n, int distinct, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = (r.nextInt(distinct) - distinct / 2) * 0.25f;
        }
        return s;
    }
}
