package dev.surgeon.ops.data;

import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.error.UsageException;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WindowsTest {
    private static int[] range(int n) {
        return IntStream.range(0, n).toArray();
    }

    @Test
    void evaluationWindowsAreConsecutiveTPlusOneTokensRemainderDropped() {
        int[][] w = Windows.evaluation(range(11), 2);
        assertThat(w).hasDimensions(3, 3);
        assertThat(w[0]).containsExactly(0, 1, 2);
        assertThat(w[1]).containsExactly(3, 4, 5);
        assertThat(w[2]).containsExactly(6, 7, 8);
        assertThat(Windows.evaluation(range(12), 2)).hasNumberOfRows(4);
        assertThat(Windows.evaluation(range(3), 2)).hasNumberOfRows(1);
    }

    @Test
    void evaluationShorterThanOneWindowIsInvalid() {
        assertThatThrownBy(() -> Windows.evaluation(range(2), 2))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("2 tokens")
                .hasMessageContaining("3 (seq-len 2 + 1)");
        assertThatThrownBy(() -> Windows.evaluation(range(0), 1)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Windows.evaluation(range(5), 0)).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> Windows.evaluation(range(5), Integer.MAX_VALUE))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void calibrationTakesSeededRandomOffsets() {
        int[] ids = range(1000);
        Windows.Result a = Windows.calibration(ids, 8, 16, 42);
        assertThat(a.warning()).isNull();
        assertThat(a.windows()).hasDimensions(8, 16);
        SplittableRandom r = new SplittableRandom(42);
        for (int[] w : a.windows()) {
            int off = r.nextInt(1000 - 16 + 1);
            assertThat(w).containsExactly(IntStream.range(off, off + 16).toArray());
        }
        assertThat(Windows.calibration(ids, 8, 16, 42).windows()).isDeepEqualTo(a.windows());
        assertThat(Windows.calibration(ids, 8, 16, 43).windows()).isNotEqualTo(a.windows());
    }

    @Test
    void calibrationOffsetsReachBothEnds() {
        int[] ids = range(6);
        boolean first = false;
        boolean last = false;
        for (long seed = 0; seed < 200; seed++) {
            for (int[] w : Windows.calibration(ids, 2, 3, seed).windows()) {
                assertThat(w[0]).isBetween(0, 3);
                first |= w[0] == 0;
                last |= w[0] == 3;
            }
        }
        assertThat(first).isTrue();
        assertThat(last).isTrue();
    }

    @Test
    void exactlyNTimesTTokensStillSamplesRandomly() {
        Windows.Result r = Windows.calibration(range(32), 4, 8, 0);
        assertThat(r.warning()).isNull();
        assertThat(r.windows()).hasDimensions(4, 8);
    }

    @Test
    void fewerThanNTimesTTokensFallsBackToConsecutiveWindowsWithAWarning() {
        Windows.Result r = Windows.calibration(range(30), 4, 8, 7);
        assertThat(r.windows()).hasDimensions(3, 8);
        assertThat(r.windows()[0]).containsExactly(range(8));
        assertThat(r.windows()[1]).containsExactly(IntStream.range(8, 16).toArray());
        assertThat(r.windows()[2]).containsExactly(IntStream.range(16, 24).toArray());
        assertThat(r.warning()).contains("30 tokens").contains("32").contains("3 consecutive windows");
        Windows.Result one = Windows.calibration(range(8), 4, 8, 7);
        assertThat(one.windows()).hasDimensions(1, 8);
        assertThat(one.warning()).contains("1 consecutive window ");
    }

    @Test
    void calibrationShorterThanOneWindowIsTheOnlyError() {
        assertThatThrownBy(() -> Windows.calibration(range(7), 4, 8, 0))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("7 tokens")
                .hasMessageContaining("seq-len 8");
        assertThatThrownBy(() -> Windows.calibration(range(10), 0, 8, 0)).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> Windows.calibration(range(10), 1, 0, 0)).isInstanceOf(UsageException.class);
    }
}
