package dev.surgeon.ops.prune;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

/** ECoFLaP's allocation on hand-made scores, every rule of METHODS.md checked by hand. */
class AllocationTest {
    private static long sum(long[] k) {
        long s = 0;
        for (long x : k) {
            s += x;
        }
        return s;
    }

    @Test
    void floorThenProportionalShareAndZeroScoreEndsAtSMax() {
        // s = 0.5, s_max = 0.6: floors ⌈100·0.4⌉ = 40 each (160); K = 200, R = 40 shared 1:1:2:0
        long[] k = Allocation.keep(new long[] {100, 100, 100, 100}, new double[] {1, 1, 2, 0}, 0.5);
        assertThat(k).containsExactly(50, 50, 60, 40);
        assertThat(sum(k)).isEqualTo(200);
        assertThat(Allocation.sparsity(k[3], 100)).isCloseTo(0.6, offset(1e-12)); // s_max exactly
        assertThat(Allocation.sparsity(k[2], 100)).isCloseTo(0.4, offset(1e-12));
    }

    @Test
    void floorUsesDecimalArithmetic() {
        // 1 − 0.7 is 0.30000000000000004 in doubles; the floor must still be ⌈10·0.3⌉ = 3
        long[] k = Allocation.keep(new long[] {10, 10}, new double[] {0, 0}, 0.6);
        assertThat(k).containsExactly(4, 4); // floors 3 + 3, K = 8, remainder 2 shared by size
    }

    @Test
    void fullGroupIsCappedAndItsScoreZeroed() {
        // floors 4 and 40 (44), K = 55: group 0 would get ⌈100/101·11⌉ = 11 but caps at n = 10; group 1
        // gets ⌈1/101·11⌉ = 1; then the remainder 4 goes to group 1 alone (group 0's score is now 0)
        long[] k = Allocation.keep(new long[] {10, 100}, new double[] {100, 1}, 0.5);
        assertThat(k).containsExactly(10, 45);
        assertThat(Allocation.sparsity(k[0], 10)).isZero();
    }

    @Test
    void allZeroScoresShareInProportionToSize() {
        long[] k = Allocation.keep(new long[] {100, 300}, new double[] {0, 0}, 0.5);
        assertThat(k).containsExactly(50, 150);
        long[] nan = Allocation.keep(new long[] {100, 300}, new double[] {Double.NaN, 0}, 0.5);
        assertThat(nan).containsExactly(50, 150);
    }

    @Test
    void overshootIsTakenBackFromTheLargestGroupNeverBelowItsFloor() {
        // N = 301, K = ⌊150.5⌋ = 150; floors 41, 40, 40 (121); R = 29 → +⌈9.67⌉ = 10 each → 151;
        // one back from the largest k (51 → 50)
        long[] k = Allocation.keep(new long[] {101, 100, 100}, new double[] {1, 1, 1}, 0.5);
        assertThat(k).containsExactly(50, 50, 50);
        // the largest k (group 0, 400) is at its floor: the excess comes from the next largest.
        // N = 1201, K = 600; floors 400, 41, 40 (481); R = 119 → +⌈59.5⌉ = 60 each → 101, 100 (both
        // full) = 601; one back from group 1
        long[] f = Allocation.keep(new long[] {1000, 101, 100}, new double[] {0, 1, 1}, 0.5);
        assertThat(f).containsExactly(400, 100, 100);
        assertThat(Allocation.sparsity(f[0], 1000)).isCloseTo(0.6, offset(1e-12));
    }

    @Test
    void zeroScoreGroupGetsTheRestOnlyWhenTheOthersAreFull() {
        // floors 80, 5, 5 (90); K = 111, R = 21: +⌈10.5⌉ = 11 each, capped at 11 → 102 < K; now every
        // score is zero: the remaining 9 go by size to the only group not full
        long[] j = Allocation.keep(new long[] {200, 11, 11}, new double[] {0, 1, 1}, 0.5);
        assertThat(j).containsExactly(89, 11, 11);
        assertThat(sum(j)).isEqualTo(111);
    }

    @Test
    void sparsityZeroKeepsAllAndOneKeepsNone() {
        assertThat(Allocation.keep(new long[] {30, 70}, new double[] {5, 1}, 0)).containsExactly(30, 70);
        assertThat(Allocation.keep(new long[] {30, 70}, new double[] {5, 1}, 1)).containsExactly(0, 0);
    }

    @Property(tries = 300)
    void totalIsExactlyKAndEveryGroupWithinItsBounds(
            @ForAll @Size(min = 1, max = 12) List<@LongRange(min = 10, max = 100_000) Long> sizes,
            @ForAll @Size(min = 12, max = 12) List<@DoubleRange(min = 0, max = 1e3) Double> scores,
            @ForAll @IntRange(min = 0, max = 99) int percent, @ForAll @IntRange(min = 0, max = 11) int zeros) {
        double s = percent / 100.0;
        long[] n = sizes.stream().mapToLong(Long::longValue).toArray();
        double[] sc = new double[n.length];
        for (int i = 0; i < n.length; i++) {
            sc[i] = i < zeros ? 0 : scores.get(i);
        }
        long[] k = Allocation.keep(n, sc, s);
        long total = 0;
        for (long x : n) {
            total += x;
        }
        long budget = java.math.BigDecimal.valueOf(total).multiply(java.math.BigDecimal.ONE
                .subtract(java.math.BigDecimal.valueOf(s))).setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
        assertThat(sum(k)).isEqualTo(budget);
        double sMax = Math.min(s + 0.1, 1);
        for (int i = 0; i < n.length; i++) {
            assertThat(k[i]).isLessThanOrEqualTo(n[i]);
            assertThat(Allocation.sparsity(k[i], n[i])).isLessThanOrEqualTo(sMax + 1e-12);
        }
    }
}
