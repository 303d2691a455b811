package dev.surgeon.ops.select;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RadixSelectTest {
    /** The k-th largest |x| by sorting: the reference the radix selection must match exactly. */
    private static float bySort(float[] v, int k) {
        float[] a = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = Math.abs(v[i]);
        }
        Arrays.sort(a);
        return a[a.length - k];
    }

    record Case(float[] values, int k) {
    }

    @Provide
    Arbitrary<Case> cases() {
        // Few distinct magnitudes (many duplicates and exact zeros), or wide-ranging random floats.
        Arbitrary<Float> dupes = Arbitraries.of(0f, -0f, 1f, -1f, 0.5f, 0.25f, -0.25f, 3e-8f, 1e-3f, Float.MIN_VALUE);
        // any finite float bit pattern, either sign
        Arbitrary<Float> wide = Arbitraries.integers().map(Float::intBitsToFloat).filter(Float::isFinite);
        // magnitudes inside one or two high-16-bit bins, so pass 2 decides; either sign
        Arbitrary<Float> close = Arbitraries.integers().between(0x3DCCF000, 0x3DCD0FFF)
                .flatMap(b -> Arbitraries.of(Float.intBitsToFloat(b), -Float.intBitsToFloat(b)));
        Arbitrary<Float> mixed = Arbitraries.oneOf(dupes, wide, close);
        Arbitrary<float[]> arrays = Arbitraries.oneOf(dupes.list().ofMinSize(1).ofMaxSize(400),
                        wide.list().ofMinSize(1).ofMaxSize(400), close.list().ofMinSize(1).ofMaxSize(400),
                        mixed.list().ofMinSize(1).ofMaxSize(400))
                .map(l -> {
                    float[] a = new float[l.size()];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = l.get(i);
                    }
                    return a;
                });
        return arrays.flatMap(a -> Arbitraries.integers().between(1, a.length).map(k -> new Case(a, k)));
    }

    @Property(tries = 500)
    void matchesTheSortedOrderStatistic(@ForAll("cases") Case c) {
        assertThat(RadixSelect.kthLargest(c.values(), c.k())).isEqualTo(bySort(c.values(), c.k()));
    }

    @Property(tries = 200)
    void keepsExactlyTheKLargestPlusTiesAtTheThreshold(@ForAll("cases") Case c) {
        float thr = RadixSelect.kthLargest(c.values(), c.k());
        long kept = 0;
        long above = 0;
        for (float v : c.values()) {
            if (Math.abs(v) >= thr) {
                kept++;
            }
            if (Math.abs(v) > thr) {
                above++;
            }
        }
        assertThat(kept).isGreaterThanOrEqualTo(c.k());
        assertThat(above).isLessThan(c.k());
    }

    @Property(tries = 100)
    void workersCountingPartsInAnyOrderGiveTheSameAnswer(@ForAll("cases") Case c, @ForAll long seed) {
        float[] v = c.values();
        RadixSelect s = new RadixSelect(c.k());
        SplittableRandom r = new SplittableRandom(seed);
        while (!s.done()) {
            // split into random parts, each counted into its own array and merged
            int from = 0;
            while (from < v.length) {
                int n = 1 + r.nextInt(v.length - from);
                long[] counts = RadixSelect.newCounts();
                s.count(counts, v, from, n);
                s.merge(counts);
                assertThat(counts).containsOnly(0L);
                from += n;
            }
            s.endPass();
        }
        assertThat(s.threshold()).isEqualTo(bySort(v, c.k()));
    }

    @Test
    void kZeroKeepsNothingWithoutAPass() {
        RadixSelect s = new RadixSelect(0);
        assertThat(s.done()).isTrue();
        assertThat(s.threshold()).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(s.keeps(Float.MAX_VALUE)).isFalse();
        assertThat(s.keeps(Float.POSITIVE_INFINITY)).isFalse();
    }

    @Test
    void kEqualToNIsTheSmallestMagnitudeAndKeepsEverything() {
        float[] v = {0.5f, -0.125f, 3f, 0.125f, -7f};
        assertThat(RadixSelect.kthLargest(v, 5)).isEqualTo(0.125f);
        float[] z = {0f, -2f, 0f};
        assertThat(RadixSelect.kthLargest(z, 3)).isEqualTo(0f);
    }

    @Test
    void tiesAtTheThresholdAreAllKept() {
        float[] v = {0.3f, -0.2f, 0.2f, 0.2f, 0.1f, -0.05f};
        RadixSelect s = new RadixSelect(2);
        long[] c = RadixSelect.newCounts();
        while (!s.done()) {
            s.count(c, v, 0, v.length);
            s.merge(c);
            s.endPass();
        }
        assertThat(s.threshold()).isEqualTo(0.2f);
        long kept = 0;
        for (float x : v) {
            kept += s.keeps(x) ? 1 : 0;
        }
        assertThat(kept).isEqualTo(4); // 0.3 and the three values of magnitude 0.2
    }

    @Test
    void largeRandomArrayMatchesSort() {
        SplittableRandom r = new SplittableRandom(7);
        float[] v = new float[200_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * 0.01);
        }
        for (int k : new int[] {1, 2, 1000, 40_000, 199_999, 200_000}) {
            assertThat(RadixSelect.kthLargest(v, k)).as("k=%d", k).isEqualTo(bySort(v, k));
        }
    }

    @Test
    void askingForMoreThanWasCountedIsAnError() {
        RadixSelect s = new RadixSelect(4);
        long[] c = RadixSelect.newCounts();
        s.count(c, new float[] {1, 2, 3}, 0, 3);
        s.merge(c);
        assertThatThrownBy(s::endPass).isInstanceOf(IllegalStateException.class);
    }
}
