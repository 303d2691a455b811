package dev.surgeon.cli.report.html;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Checks every page must pass, and the geometry of bars against their values. */
public final class HtmlAssertions {
    private HtmlAssertions() {
    }

    /** No script and no URL but the SVG namespace: the page runs nothing and fetches nothing. */
    public static void selfContained(String html) {
        assertThat(html.toLowerCase(java.util.Locale.ROOT)).doesNotContain("<script");
        String rest = html.replace("xmlns=\"" + Svg.XMLNS + "\"", "");
        assertThat(rest).doesNotContain("http://").doesNotContain("https://");
    }

    /**
     * The bars show {@code expected} in order: data-value equal, left to right, all standing on one
     * baseline (or hanging from it when negative), heights proportional to |value|.
     */
    public static void barsShow(List<HtmlPage.Bar> bars, double[] expected) {
        assertThat(bars).hasSize(expected.length);
        // pixels per unit from the tallest bar, where rounding to 0.01 px matters least
        int tallest = 0;
        for (int i = 1; i < expected.length; i++) {
            tallest = Math.abs(expected[i]) > Math.abs(expected[tallest]) ? i : tallest;
        }
        double perUnit = expected[tallest] == 0 ? 0 : bars.get(tallest).height() / Math.abs(expected[tallest]);
        Double baseline = null;
        for (int i = 0; i < expected.length; i++) {
            HtmlPage.Bar b = bars.get(i);
            assertThat(b.value()).as("bar " + i).isEqualTo(expected[i]);
            if (i > 0) {
                assertThat(b.px()).as("bar " + i + " right of bar " + (i - 1)).isGreaterThan(bars.get(i - 1).px());
            }
            double base = expected[i] >= 0 ? b.bottom() : b.top();
            if (baseline == null) {
                baseline = base;
            }
            assertThat(base).as("bar " + i + " on the zero line").isCloseTo(baseline, within(0.02));
            if (expected[i] != 0) {
                // pixel coordinates are written to 0.01 px
                assertThat(b.height()).as("bar " + i + " height").isCloseTo(perUnit * Math.abs(expected[i]), within(0.03));
            } else {
                assertThat(b.height()).isCloseTo(0.0, within(0.02));
            }
        }
    }
}
