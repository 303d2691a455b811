package dev.surgeon.cli.report.html;

import java.util.ArrayList;
import java.util.List;

/**
 * A linear axis over [lo, hi] with "nice" ticks (1, 2, 5 × 10^k steps) that cover the data, and
 * the map from a value to a pixel between two ends (which may be reversed, as for SVG's y).
 */
public final class Axis {
    private final double lo;
    private final double hi;
    private final double step;

    private Axis(double lo, double hi, double step) {
        this.lo = lo;
        this.hi = hi;
        this.step = step;
    }

    /** An axis covering min..max with about {@code ticks} ticks; a single value gets a band around it. */
    public static Axis covering(double min, double max, int ticks) {
        if (!(min <= max)) {
            min = 0;
            max = 1;
        }
        if (min == max) {
            double pad = min == 0 ? 1 : Math.abs(min) * 0.1;
            min -= pad;
            max += pad;
        }
        double step = niceStep((max - min) / Math.max(1, ticks));
        double lo = Math.floor(min / step + 1e-9) * step;
        double hi = Math.ceil(max / step - 1e-9) * step;
        return new Axis(lo, hi, step);
    }

    static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / p;
        double n = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return n * p;
    }

    public double lo() {
        return lo;
    }

    public double hi() {
        return hi;
    }

    public List<Double> ticks() {
        List<Double> t = new ArrayList<>();
        long n = Math.round((hi - lo) / step);
        for (long i = 0; i <= n; i++) {
            double v = lo + i * step;
            t.add(Math.abs(v) < step * 1e-9 ? 0.0 : v);
        }
        return t;
    }

    /** The pixel of {@code v} when lo maps to {@code from} and hi to {@code to}. */
    public double map(double v, double from, double to) {
        return from + (v - lo) / (hi - lo) * (to - from);
    }
}
