package dev.surgeon.ops.merge;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class TiesPropertiesTest {
    @Provide
    Arbitrary<List<Float>> entries() {
        // zeros, exact opposites and repeats are what the sign rules are about
        return Arbitraries.of(0f, -0f, 0.5f, -0.5f, 0.25f, -0.25f, 1f, -1f, 3e-5f, -3e-5f).list().ofSize(24);
    }

    /** The reference: the elected sign, then the mean of the agreeing non-zero entries, by plain branching code. */
    private static double reference(float[][] tau, int tasks, int i, int majority) {
        double sum = 0;
        for (int t = 0; t < tasks; t++) {
            sum += tau[t][i];
        }
        int sign = sum > 0 ? 1 : sum < 0 ? -1 : majority;
        double acc = 0;
        int count = 0;
        for (int t = 0; t < tasks; t++) {
            float v = tau[t][i];
            if (sign > 0 ? v > 0 : v < 0) {
                acc += v;
                count++;
            }
        }
        return count == 0 ? 0 : acc / count;
    }

    @Property(tries = 300)
    void combineMatchesTheDefinitionForTwoAndMoreTasks(@ForAll("entries") List<Float> values,
                                                       @ForAll @IntRange(min = -1, max = 1) int majority,
                                                       @ForAll @IntRange(min = 1, max = 4) int tasks) {
        int n = values.size() / tasks;
        float[][] tau = new float[tasks][n];
        for (int t = 0; t < tasks; t++) {
            for (int i = 0; i < n; i++) {
                tau[t][i] = values.get(t * n + i);
            }
        }
        double[] out = new double[n];
        new Ties(majority).combine(tau, tasks, n, out);
        for (int i = 0; i < n; i++) {
            assertThat(out[i]).as("coordinate %d", i).isEqualTo(reference(tau, tasks, i, majority));
        }
    }

    /** Any finite float: every bit pattern but the all-ones exponent (subnormals, zeros of both signs, the largest). */
    private static float anyFinite(Random r) {
        int bits;
        do {
            bits = r.nextInt();
        } while ((bits & 0x7F800000) == 0x7F800000);
        return Float.intBitsToFloat(bits);
    }

    @Property(tries = 300)
    void twoTasksGiveTheGeneralPathsNumbersBitForBit(@ForAll long seed, @ForAll @IntRange(min = -1, max = 1) int majority) {
        Random r = new Random(seed);
        int n = 512;
        float[][] two = new float[2][n];
        float[][] three = new float[3][n]; // a third task of zeros changes no sum and no mean, and takes the general path
        for (int i = 0; i < n; i++) {
            float x = r.nextInt(4) == 0 ? (r.nextBoolean() ? 0f : -0f) : anyFinite(r);
            float y = switch (r.nextInt(5)) {
                case 0 -> -x; // cancels exactly: the majority decides
                case 1 -> x;
                case 2 -> r.nextBoolean() ? 0f : -0f;
                default -> r.nextBoolean() ? anyFinite(r) : Math.scalb(anyFinite(r), -100);
            };
            two[0][i] = three[0][i] = x;
            two[1][i] = three[1][i] = y;
        }
        double[] fast = new double[n];
        double[] general = new double[n];
        new Ties(majority).combine(two, 2, n, fast);
        new Ties(majority).combine(three, 3, n, general);
        for (int i = 0; i < n; i++) {
            assertThat(Double.doubleToRawLongBits(fast[i])).as("x=%s y=%s", two[0][i], two[1][i])
                    .isEqualTo(Double.doubleToRawLongBits(general[i]));
        }
    }

    @Property(tries = 50)
    void aNaNEntryGivesNaNForTheOutputsFinitenessCheck(@ForAll @IntRange(min = -1, max = 1) int majority) {
        float negativeNaN = Float.intBitsToFloat(0xFFC00000);
        float[][] tau = {{Float.NaN, 1f, -2f, negativeNaN, 0f}, {1f, Float.NaN, Float.NaN, 3f, negativeNaN}};
        for (int tasks = 2; tasks <= 3; tasks++) {
            float[][] in = tasks == 2 ? tau : new float[][] {tau[0], tau[1], new float[5]};
            double[] out = new double[5];
            new Ties(majority).combine(in, tasks, 5, out);
            for (double v : out) {
                assertThat(v).as("%d tasks", tasks).isNaN();
            }
        }
    }

    @Property(tries = 200)
    void signElectionCountsEveryCoordinateOnce(@ForAll("entries") List<Float> values) {
        int n = values.size() / 2;
        float[][] tau = new float[2][n];
        long pos = 0;
        long neg = 0;
        long cancelled = 0;
        for (int i = 0; i < n; i++) {
            tau[0][i] = values.get(i);
            tau[1][i] = values.get(n + i);
            double s = (double) tau[0][i] + tau[1][i];
            pos += s > 0 ? 1 : 0;
            neg += s < 0 ? 1 : 0;
            cancelled += s == 0 && (tau[0][i] != 0 || tau[1][i] != 0) ? 1 : 0;
        }
        SignElection e = new SignElection(false);
        e.add(tau, 2, n);
        assertThat(e.positive()).isEqualTo(pos);
        assertThat(e.negative()).isEqualTo(neg);
        assertThat(e.zeroSum()).isEqualTo(n - pos - neg);
        assertThat(e.cancelled()).isEqualTo(cancelled);
        assertThat(e.majority()).isEqualTo(Long.signum(pos - neg));
    }
}
