package dev.surgeon.cli.report.html;

import java.util.List;

/** One chart and, beside it, the table of the numbers it draws (readable without the picture). */
public record Figure(String svg, String table) {

    /** A two-column table: the x label of each row and its value, to full precision. */
    static String table(String xLabel, String yLabel, List<String> xs, double[] ys) {
        StringBuilder b = new StringBuilder(64 + xs.size() * 48);
        b.append("<table class=\"data\"><thead><tr><th>").append(Svg.esc(xLabel)).append("</th><th>").append(Svg.esc(yLabel))
                .append("</th></tr></thead><tbody>");
        for (int i = 0; i < xs.size(); i++) {
            b.append("<tr><td>").append(Svg.esc(xs.get(i))).append("</td><td>").append(Double.isFinite(ys[i]) ? Svg.cell(ys[i]) : "n/a")
                    .append("</td></tr>");
        }
        return b.append("</tbody></table>").toString();
    }
}
