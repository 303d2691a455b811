package dev.surgeon.ops.prune;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class KthSmallestProperties {
    @Property(tries = 300)
    void equalsTheSortedArraysEntryForEveryShapeOfInput(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3000) int len,
                                                         @ForAll @IntRange(min = 0, max = 4) int shape) {
        Random r = new Random(seed);
        int[] a = new int[len];
        for (int i = 0; i < len; i++) {
            a[i] = switch (shape) {
                case 0 -> r.nextInt();                 // distinct-ish
                case 1 -> r.nextInt(4);                // many ties
                case 2 -> i;                           // sorted
                case 3 -> len - i;                     // reversed
                default -> i % 2 == 0 ? i : -i;        // organ pipe-like
            };
        }
        int rank = r.nextInt(len);
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        assertThat(Selection.kthSmallest(a.clone(), len, rank)).isEqualTo(sorted[rank]);
    }
}
