package dev.surgeon.ops.average;

import dev.surgeon.io.error.UsageException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PartsTest {
    private static int[] assignment(Parts p) {
        int[] a = new int[p.blockCount()];
        for (int b = 0; b < a.length; b++) {
            a[b] = p.partOf(b);
        }
        return a;
    }

    @Test
    void blockIsInPartCountingPivotsBelowIt() {
        Parts p = Parts.ofPivots(new int[] {2, 4}, 7);
        // N > p: block 2 (= pivot) stays in part 0, block 3 is in part 1; block 4 in part 1, 5 in part 2
        assertThat(assignment(p)).containsExactly(0, 0, 0, 1, 1, 2, 2);
        assertThat(p.count()).isEqualTo(3);
        assertThat(p.describe()).isEqualTo("[0,3) [3,5) [5,7)");
    }

    @Test
    void authorsDefaults() {
        // L ≤ 30: pivots 7,15 → [0,8) [8,16) [16,L)
        for (int l : new int[] {17, 24, 26, 30}) {
            Parts p = Parts.authorsDefault(l);
            assertThat(p.pivots()).containsExactly(7, 15);
            assertThat(p.partOf(7)).isZero();
            assertThat(p.partOf(8)).isEqualTo(1);
            assertThat(p.partOf(15)).isEqualTo(1);
            assertThat(p.partOf(16)).isEqualTo(2);
        }
        // above 30: 10,20 → [0,11) [11,21) [21,L)
        for (int l : new int[] {31, 32, 40, 80}) {
            Parts p = Parts.authorsDefault(l);
            assertThat(p.pivots()).containsExactly(10, 20);
            assertThat(p.partOf(10)).isZero();
            assertThat(p.partOf(11)).isEqualTo(1);
            assertThat(p.partOf(21)).isEqualTo(2);
        }
        // too small for 7,15 (the last part would be empty): 3 parts of ⌊L/3⌋ blocks
        assertThat(Parts.authorsDefault(16).describe()).isEqualTo("[0,5) [5,10) [10,16)");
        assertThat(Parts.authorsDefault(6).describe()).isEqualTo("[0,2) [2,4) [4,6)");
        assertThat(Parts.authorsDefault(3).describe()).isEqualTo("[0,1) [1,2) [2,3)");
        assertThat(Parts.authorsDefault(16).source()).contains("blocks 3");
        assertThatThrownBy(() -> Parts.authorsDefault(2)).isInstanceOf(UsageException.class).hasMessageContaining("--blocks");
    }

    @Test
    void blocksPutTheRemainderInTheLastPart() {
        assertThat(Parts.ofBlocks(3, 7).describe()).isEqualTo("[0,2) [2,4) [4,7)");
        assertThat(Parts.ofBlocks(4, 22).describe()).isEqualTo("[0,5) [5,10) [10,15) [15,22)");
        assertThat(Parts.ofBlocks(1, 5).describe()).isEqualTo("[0,5)");
        assertThat(Parts.ofBlocks(5, 5).describe()).isEqualTo("[0,1) [1,2) [2,3) [3,4) [4,5)");
        assertThat(assignment(Parts.ofBlocks(3, 7))).containsExactly(0, 0, 1, 1, 2, 2, 2);
        assertThatThrownBy(() -> Parts.ofBlocks(0, 5)).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> Parts.ofBlocks(6, 5)).isInstanceOf(UsageException.class);
    }

    @Test
    void pivotsMustLeaveEveryPartABlock() {
        assertThatThrownBy(() -> Parts.ofPivots(new int[] {3, 1}, 6)).isInstanceOf(UsageException.class).hasMessageContaining("increasing");
        assertThatThrownBy(() -> Parts.ofPivots(new int[] {2, 2}, 6)).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> Parts.ofPivots(new int[] {5}, 6)).isInstanceOf(UsageException.class).hasMessageContaining("[0, 4]");
        assertThatThrownBy(() -> Parts.ofPivots(new int[] {-1}, 6)).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> Parts.ofPivots(new int[] {1}, 0)).isInstanceOf(UsageException.class).hasMessageContaining("blocks");
        assertThat(Parts.ofPivots(new int[] {0, 4}, 6).describe()).isEqualTo("[0,1) [1,5) [5,6)");
        assertThat(Parts.ofPivots(new int[] {}, 6).count()).isEqualTo(1);
    }
}
