package dev.surgeon.cli.report.html;

import java.util.List;

/**
 * Bars over categories (block indices, parts, histogram bins) rising from zero. Each bar carries
 * its category and exact value in data-x / data-value and in a &lt;title&gt; tooltip; a missing
 * value (NaN) gets no bar.
 */
public final class BarChart {
    private BarChart() {
    }

    public static String render(String kind, String field, String title, String xLabel, String yLabel, List<String> labels, double[] values) {
        double min = 0;
        double max = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        Axis y = Axis.covering(min, max, 5);
        StringBuilder b = new StringBuilder(512 + values.length * 200);
        Frame.open(b, kind, field, title);
        Frame.valueAxis(b, y, xLabel, yLabel);
        int n = values.length;
        double band = (Frame.X1 - Frame.X0) / Math.max(1, n);
        double width = Math.max(1, band * 0.8);
        double zero = y.map(0, Frame.Y1, Frame.Y0);
        // label every k-th category so that labels of about 6.5 px per character do not overlap
        int longest = labels.stream().mapToInt(String::length).max().orElse(1);
        int every = Math.max(1, (int) Math.ceil(n * (longest * 6.5 + 8) / (Frame.X1 - Frame.X0)));
        for (int i = 0; i < n; i++) {
            double cx = Frame.X0 + band * (i + 0.5);
            if (i % every == 0) {
                Frame.xTick(b, cx, labels.get(i));
            }
            double v = values[i];
            if (!Double.isFinite(v)) {
                continue;
            }
            double top = y.map(v, Frame.Y1, Frame.Y0);
            b.append("<rect class=\"bar").append(v < 0 ? " negative" : "").append("\" data-x=\"").append(Svg.esc(labels.get(i)))
                    .append("\" data-value=\"").append(Svg.exact(v)).append("\" x=\"").append(Svg.px(cx - width / 2)).append("\" y=\"")
                    .append(Svg.px(Math.min(top, zero))).append("\" width=\"").append(Svg.px(width)).append("\" height=\"")
                    .append(Svg.px(Math.abs(zero - top))).append("\"><title>").append(Svg.esc(xLabel + " " + labels.get(i) + ": "
                            + yLabel + " " + Svg.readable(v))).append("</title></rect>");
        }
        Frame.close(b);
        return b.toString();
    }
}
