package dev.surgeon.cli.report.html;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AxisTest {
    @Test
    void unitIntervalGetsTicksOfOneFifth() {
        Axis a = Axis.covering(0, 0.75, 5);
        assertThat(a.lo()).isEqualTo(0);
        assertThat(a.hi()).isCloseTo(0.8, within(1e-12));
        assertThat(a.ticks()).hasSize(5);
        assertThat(a.map(0.4, 200, 0)).isCloseTo(100, within(1e-9));
    }

    @Test
    void aSingleValueGetsABandAroundIt() {
        Axis a = Axis.covering(3, 3, 5);
        assertThat(a.lo()).isLessThan(3);
        assertThat(a.hi()).isGreaterThan(3);
    }

    @Property
    void ticksCoverTheDataInRoundSteps(@ForAll @DoubleRange(min = -1e6, max = 1e6) double a,
                                       @ForAll @DoubleRange(min = 0, max = 1e6) double span) {
        Axis ax = Axis.covering(a, a + span, 5);
        List<Double> t = ax.ticks();
        assertThat(t.size()).isBetween(2, 12);
        double step = t.get(1) - t.get(0);
        // covered up to rounding: an end may sit an ulp inside the data, a millionth of a step at most
        assertThat(ax.lo()).isLessThanOrEqualTo(a + step * 1e-6);
        assertThat(ax.hi()).isGreaterThanOrEqualTo(a + span - step * 1e-6);
        double mantissa = step / Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
        assertThat(List.of(1.0, 2.0, 5.0, 10.0)).anySatisfy(m -> assertThat(mantissa).isCloseTo(m, within(1e-6)));
    }
}
