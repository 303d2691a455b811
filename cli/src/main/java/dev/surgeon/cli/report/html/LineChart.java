package dev.surgeon.cli.report.html;

/**
 * A curve over a numeric x (the λ(ℓ) schedule over blocks, a search's score over the swept
 * variable): a polyline through points that carry their exact x and y in data-x / data-y and a
 * &lt;title&gt;; the chosen point, if any (index ≥ 0), is drawn larger and has class "chosen".
 */
public final class LineChart {
    private LineChart() {
    }

    /** {@code fromZero}: the value axis starts at 0 (a schedule) rather than at the data (an NLL curve). */
    public static String render(String kind, String field, String title, String xLabel, String yLabel, double[] xs, double[] ys, int chosen,
            boolean fromZero) {
        double xmin = Double.POSITIVE_INFINITY;
        double xmax = Double.NEGATIVE_INFINITY;
        double ymin = fromZero ? 0 : Double.POSITIVE_INFINITY;
        double ymax = fromZero ? 0 : Double.NEGATIVE_INFINITY;
        for (int i = 0; i < xs.length; i++) {
            if (Double.isFinite(xs[i]) && Double.isFinite(ys[i])) {
                xmin = Math.min(xmin, xs[i]);
                xmax = Math.max(xmax, xs[i]);
                ymin = Math.min(ymin, ys[i]);
                ymax = Math.max(ymax, ys[i]);
            }
        }
        Axis x = Axis.covering(xmin, xmax, 8);
        Axis y = Axis.covering(ymin, ymax, 5);
        StringBuilder b = new StringBuilder(512 + xs.length * 220);
        Frame.open(b, kind, field, title);
        Frame.valueAxis(b, y, xLabel, yLabel);
        for (double t : x.ticks()) {
            Frame.xTick(b, x.map(t, Frame.X0, Frame.X1), Svg.readable(t));
        }
        StringBuilder line = new StringBuilder();
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < xs.length; i++) {
            if (!Double.isFinite(xs[i]) || !Double.isFinite(ys[i])) {
                continue;
            }
            double px = x.map(xs[i], Frame.X0, Frame.X1);
            double py = y.map(ys[i], Frame.Y1, Frame.Y0);
            line.append(line.length() == 0 ? "" : " ").append(Svg.px(px)).append(',').append(Svg.px(py));
            boolean pick = i == chosen;
            points.append("<circle class=\"point").append(pick ? " chosen" : "").append("\" data-x=\"").append(Svg.exact(xs[i]))
                    .append("\" data-y=\"").append(Svg.exact(ys[i])).append("\" cx=\"").append(Svg.px(px)).append("\" cy=\"")
                    .append(Svg.px(py)).append("\" r=\"").append(pick ? 6 : 3.5).append("\"><title>")
                    .append(Svg.esc((pick ? "chosen: " : "") + xLabel + " " + Svg.readable(xs[i]) + ", " + yLabel + " " + Svg.readable(ys[i])))
                    .append("</title></circle>");
            if (pick) {
                points.append("<text class=\"chosen-label\" x=\"").append(Svg.px(Math.min(px + 9, Frame.X1 - 90))).append("\" y=\"")
                        .append(Svg.px(Math.max(py - 9, Frame.Y0 + 10))).append("\">chosen ").append(Svg.esc(xLabel)).append(' ')
                        .append(Svg.esc(Svg.readable(xs[i]))).append("</text>");
            }
        }
        b.append("<polyline class=\"line\" points=\"").append(line).append("\"/>");
        b.append(points);
        Frame.close(b);
        return b.toString();
    }
}
