package dev.surgeon.cli.report.html;

/**
 * The common frame of every chart: size, plot area, the opening &lt;svg&gt; with a title, the value
 * axis with ticks and grid lines, and the axis labels. Fixed pixel sizes inside a viewBox, so the
 * page scales the chart as a whole.
 */
final class Frame {
    static final int W = 600;
    static final int H = 260;
    static final int LEFT = 70;
    static final int RIGHT = 16;
    static final int TOP = 30;
    static final int BOTTOM = 46;
    static final double X0 = LEFT;
    static final double X1 = W - RIGHT;
    static final double Y0 = TOP;
    static final double Y1 = H - BOTTOM;

    private Frame() {
    }

    /** Opens the svg: {@code kind} (bar, line, histogram) and {@code field} go into data-* for tests and readers. */
    static void open(StringBuilder b, String kind, String field, String title) {
        b.append("<svg xmlns=\"").append(Svg.XMLNS).append("\" viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" width=\"").append(W).append("\" height=\"").append(H).append("\" class=\"chart\" role=\"img\" data-kind=\"")
                .append(Svg.esc(kind)).append("\" data-field=\"").append(Svg.esc(field)).append("\">");
        b.append("<title>").append(Svg.esc(title)).append("</title>");
        b.append("<text class=\"chart-title\" x=\"").append(Svg.px(X0)).append("\" y=\"18\">").append(Svg.esc(title)).append("</text>");
    }

    /** Horizontal grid lines and labelled ticks of the value axis, and the axis labels. */
    static void valueAxis(StringBuilder b, Axis y, String xLabel, String yLabel) {
        for (double t : y.ticks()) {
            double py = y.map(t, Y1, Y0);
            b.append("<line class=\"grid\" x1=\"").append(Svg.px(X0)).append("\" x2=\"").append(Svg.px(X1)).append("\" y1=\"")
                    .append(Svg.px(py)).append("\" y2=\"").append(Svg.px(py)).append("\"/>");
            b.append("<text class=\"tick y\" x=\"").append(Svg.px(X0 - 6)).append("\" y=\"").append(Svg.px(py + 4)).append("\">")
                    .append(Svg.esc(Svg.readable(t))).append("</text>");
        }
        b.append("<line class=\"axis\" x1=\"").append(Svg.px(X0)).append("\" x2=\"").append(Svg.px(X0)).append("\" y1=\"")
                .append(Svg.px(Y0)).append("\" y2=\"").append(Svg.px(Y1)).append("\"/>");
        b.append("<line class=\"axis\" x1=\"").append(Svg.px(X0)).append("\" x2=\"").append(Svg.px(X1)).append("\" y1=\"")
                .append(Svg.px(Y1)).append("\" y2=\"").append(Svg.px(Y1)).append("\"/>");
        b.append("<text class=\"label x\" x=\"").append(Svg.px((X0 + X1) / 2)).append("\" y=\"").append(H - 8).append("\">")
                .append(Svg.esc(xLabel)).append("</text>");
        b.append("<text class=\"label y\" transform=\"translate(14 ").append(Svg.px((Y0 + Y1) / 2)).append(") rotate(-90)\">")
                .append(Svg.esc(yLabel)).append("</text>");
    }

    /** A tick label under the x axis at pixel {@code px}. */
    static void xTick(StringBuilder b, double px, String label) {
        b.append("<line class=\"axis\" x1=\"").append(Svg.px(px)).append("\" x2=\"").append(Svg.px(px)).append("\" y1=\"")
                .append(Svg.px(Y1)).append("\" y2=\"").append(Svg.px(Y1 + 4)).append("\"/>");
        b.append("<text class=\"tick x\" x=\"").append(Svg.px(px)).append("\" y=\"").append(Svg.px(Y1 + 16)).append("\">")
                .append(Svg.esc(label)).append("</text>");
    }

    static void close(StringBuilder b) {
        b.append("</svg>");
    }
}
