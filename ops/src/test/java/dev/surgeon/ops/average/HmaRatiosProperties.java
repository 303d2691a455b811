package dev.surgeon.ops.average;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** HMA ratios keep their mean at r whatever the logits (METHODS.md: "mean of r_k is exactly r"). */
class HmaRatiosProperties {
    @Property(tries = 500)
    void meanOfPartRatiosIsR(@ForAll @Size(min = 1, max = 12) List<@DoubleRange(min = -30, max = 30) Double> logits,
                             @ForAll @DoubleRange(min = 0, max = 1) double r,
                             @ForAll @DoubleRange(min = 0, max = 2) double epsilon) {
        double[] s = logits.stream().mapToDouble(Double::doubleValue).toArray();
        double[] rk = HmaRatios.preWeights(s, epsilon, r);
        double sum = 0;
        for (double x : rk) {
            assertThat(x).isGreaterThanOrEqualTo(0);
            sum += x;
        }
        // exact in real arithmetic; in doubles within a few ulps of r
        assertThat(Math.abs(sum / rk.length - r)).isLessThanOrEqualTo(1e-14);
    }

    @Property(tries = 200)
    void equalLogitsGiveEqualRatios(@ForAll @DoubleRange(min = -10, max = 10) double s, @ForAll @Size(min = 1, max = 12) List<Integer> parts,
                                    @ForAll @DoubleRange(min = 0, max = 1) double r) {
        double[] logits = new double[parts.size()];
        java.util.Arrays.fill(logits, s);
        for (double x : HmaRatios.preWeights(logits, HmaRatios.DEFAULT_EPSILON, r)) {
            assertThat(Math.abs(x - r)).isLessThanOrEqualTo(1e-15);
        }
    }
}
