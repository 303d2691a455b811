package dev.surgeon.ops.inspect;

import dev.surgeon.ops.exec.ElementReader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.safetensors.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.SplittableRandom;

class StatsAccumulatorTest {
    @TempDir
    Path dir;

    @Test
    void countsNanInfZerosAndKeepsMomentsOverFiniteValues() {
        double[] v = {0, -0.0, 1, 2, 3, Double.NaN, Double.POSITIVE_INFINITY, -4, Double.NEGATIVE_INFINITY};
        StatsAccumulator acc = new StatsAccumulator();
        acc.add(v, v.length);
        TensorStats s = acc.result();
        assertThat(s.count()).isEqualTo(9);
        assertThat(s.finite()).isEqualTo(6);
        assertThat(s.nans()).isEqualTo(1);
        assertThat(s.infs()).isEqualTo(2);
        assertThat(s.zeros()).isEqualTo(2);
        assertThat(s.zeroFraction()).isEqualTo(2.0 / 9);
        assertThat(s.min()).isEqualTo(-4);
        assertThat(s.max()).isEqualTo(3);
        // finite values 0, 0, 1, 2, 3, -4: mean 2/6, population variance 30/6 - (1/3)^2 = 44/9
        assertThat(s.mean()).isCloseTo(1.0 / 3, within(1e-15));
        assertThat(s.std()).isCloseTo(Math.sqrt(44.0 / 9), within(1e-14));
    }

    @Test
    void blocksMergeToTheSameResultAsOnePass() {
        SplittableRandom r = new SplittableRandom(7);
        double[] all = new double[10_007];
        for (int i = 0; i < all.length; i++) {
            all[i] = r.nextGaussian() * 3 + 5;
        }
        StatsAccumulator one = new StatsAccumulator();
        one.add(all, all.length);
        StatsAccumulator parts = new StatsAccumulator();
        for (int off = 0; off < all.length; off += 1000) {
            int n = Math.min(1000, all.length - off);
            double[] block = java.util.Arrays.copyOfRange(all, off, off + n);
            parts.add(block, n);
        }
        TensorStats a = one.result();
        TensorStats b = parts.result();
        assertThat(b.mean()).isCloseTo(a.mean(), within(1e-12));
        assertThat(b.std()).isCloseTo(a.std(), within(1e-12));
        assertThat(b.min()).isEqualTo(a.min());
        assertThat(b.max()).isEqualTo(a.max());
    }

    @Test
    void largeOffsetDoesNotDestroyTheVariance() {
        // values 1e9 + {0, 1, 2, 3}: variance 1.25; sum-of-squares in double would lose it entirely
        double[] v = {1e9, 1e9 + 1, 1e9 + 2, 1e9 + 3};
        StatsAccumulator acc = new StatsAccumulator();
        acc.add(v, 2);
        acc.add(new double[] {v[2], v[3]}, 2);
        assertThat(acc.result().std()).isCloseTo(Math.sqrt(1.25), within(1e-9));
        assertThat(acc.result().mean()).isEqualTo(1e9 + 1.5);
    }

    @Test
    void noFiniteValueGivesNanMomentsAndCounts() {
        StatsAccumulator acc = new StatsAccumulator();
        acc.add(new double[] {Double.NaN, Double.NaN}, 2);
        TensorStats s = acc.result();
        assertThat(s.finite()).isZero();
        assertThat(s.nans()).isEqualTo(2);
        assertThat(s.mean()).isNaN();
        assertThat(s.min()).isNaN();
    }

    @Test
    void tensorStatsStreamsAFileTensorInBlocks() throws Exception {
        int n = ElementReader.BLOCK * 2 + 17; // crosses two block boundaries
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = i % 5 == 0 ? 0 : (i % 7) - 3;
        }
        v[5] = Double.NaN;
        // integer values: exact reference moments from long sums
        long sum = 0;
        long sumSq = 0;
        long zeros = 0;
        for (int i = 0; i < n; i++) {
            if (i != 5) {
                sum += (long) v[i];
                sumSq += (long) v[i] * (long) v[i];
                zeros += v[i] == 0 ? 1 : 0;
            }
        }
        long m = n - 1;
        double mean = (double) sum / m;
        double var = new java.math.BigDecimal(sumSq).multiply(java.math.BigDecimal.valueOf(m))
                .subtract(new java.math.BigDecimal(sum).pow(2))
                .divide(java.math.BigDecimal.valueOf(m).pow(2), java.math.MathContext.DECIMAL128).doubleValue();
        Path f = StatsFiles.write(dir.resolve("m.safetensors"), StatsFiles.tensor("t", DType.BF16, new long[] {n}, v));
        try (Checkpoint c = Checkpoint.open(f.toString())) {
            TensorStats s = TensorStats.of(c.tensor("t"));
            assertThat(s.count()).isEqualTo(n);
            assertThat(s.finite()).isEqualTo(m);
            assertThat(s.nans()).isEqualTo(1);
            assertThat(s.zeros()).isEqualTo(zeros);
            assertThat(s.mean()).isCloseTo(mean, within(1e-14));
            assertThat(s.std()).isCloseTo(Math.sqrt(var), within(1e-13));
            assertThat(s.min()).isEqualTo(-3);
            assertThat(s.max()).isEqualTo(3);
        }
    }
}
