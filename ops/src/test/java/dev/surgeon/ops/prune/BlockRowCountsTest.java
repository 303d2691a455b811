package dev.surgeon.ops.prune;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Per-row counts that make a block's total exact (ECoFLaP stage 2). */
class BlockRowCountsTest {
    @Test
    void handExample() {
        // two matrices 3×10 and 2×5: n = 40, P = 13, s = 0.325. Base ⌊10·0.325⌋ = 3 and ⌊5·0.325⌋ = 1
        // → 9 + 2 = 11; tensor shares ⌊30·0.325⌋ = 9 → 0 extras, ⌊10·0.325⌋ = 3 → 1 extra; one left
        // goes to the larger fraction: 9.75 (0.75) vs 3.25 (0.25) → tensor 0
        int[][] c = BlockRowCounts.counts(new long[] {3, 2}, new long[] {10, 5}, 13);
        assertThat(c[0]).containsExactly(3, 3, 4);
        assertThat(c[1]).containsExactly(1, 2);
    }

    @Property(tries = 400)
    void totalExactAndRowsWithinOne(@ForAll @Size(min = 1, max = 7) List<@IntRange(min = 1, max = 40) Integer> rows,
                                    @ForAll @Size(min = 7, max = 7) List<@IntRange(min = 1, max = 40) Integer> cols,
                                    @ForAll @IntRange(min = 0, max = 1000) int permille) {
        int m = rows.size();
        long[] r = new long[m];
        long[] c = new long[m];
        long n = 0;
        for (int t = 0; t < m; t++) {
            r[t] = rows.get(t);
            c[t] = cols.get(t);
            n += r[t] * c[t];
        }
        long prune = n * permille / 1000;
        int[][] counts = BlockRowCounts.counts(r, c, prune);
        long total = 0;
        for (int t = 0; t < m; t++) {
            long base = c[t] * prune / n; // ⌊c·P/n⌋
            assertThat(counts[t]).hasSize((int) r[t]);
            long tensorTotal = 0;
            for (int k : counts[t]) {
                assertThat((long) k).isBetween(base, Math.min(c[t], base + 1));
                tensorTotal += k;
            }
            // each tensor stays within one row's worth of its exact share r·c·P/n
            assertThat(Math.abs(tensorTotal - (double) r[t] * c[t] * prune / n)).isLessThan(1.0 + 1e-9);
            total += tensorTotal;
        }
        assertThat(total).isEqualTo(prune);
    }
}
