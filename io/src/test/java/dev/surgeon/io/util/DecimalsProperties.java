package dev.surgeon.io.util;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Decimals#fixed} writes what {@code String.format(Locale.ROOT, "%.Nf")} writes. */
class DecimalsProperties {
    private static String formatter(double v, int places) {
        return String.format(Locale.ROOT, "%." + places + "f", v);
    }

    @Property(tries = 2000)
    void anyDoubleAsTheFormatterWritesIt(@ForAll double v, @ForAll @IntRange(min = 0, max = 8) int places) {
        assertThat(Decimals.fixed(v, places)).isEqualTo(formatter(v, places));
    }

    @Property(tries = 2000)
    void sizesAndPercentagesAsTheFormatterWritesThem(@ForAll @DoubleRange(min = -200, max = 1100) double v) {
        assertThat(Decimals.fixed(v, 1)).isEqualTo(formatter(v, 1));
    }

    @Example
    void tiesSignsAndSpecialValues() {
        double[] cases = {0.05, 0.15, 0.25, 0.35, 1023.95, 99.95, 2.675, -0.04, -0.0, 0.0, -0.05, 1e20, 1.0E-7, 4.9e-324,
                Double.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (double v : cases) {
            for (int places = 0; places <= 3; places++) {
                assertThat(Decimals.fixed(v, places)).as("%s with %d places", v, places).isEqualTo(formatter(v, places));
            }
        }
    }
}
