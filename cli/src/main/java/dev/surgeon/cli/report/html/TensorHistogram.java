package dev.surgeon.cli.report.html;

import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * tensors[] as a histogram of one per-tensor number (sparsity, POST weight, scale, ‖Δ‖ / ‖A‖): a
 * 3B model has hundreds of tensors and the page must stay small, so no per-tensor rows.
 */
final class TensorHistogram {
    static final String[] FIELDS = {"sparsity", "ratio", "scale", "relative", "norm_delta"};
    static final int BINS = 20;

    private TensorHistogram() {
    }

    static List<Figure> of(JsonObject report) {
        List<Figure> figs = new ArrayList<>();
        List<JsonObject> rows = Json.objects(report, "tensors");
        for (String field : FIELDS) {
            double[] v = Json.column(rows, field);
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            int n = 0;
            for (double x : v) {
                if (Double.isFinite(x)) {
                    min = Math.min(min, x);
                    max = Math.max(max, x);
                    n++;
                }
            }
            if (n == 0) {
                continue;
            }
            // fractions (sparsity, weights) get fixed bins over [0, 1], so two reports compare at a glance;
            // anything else gets bins of a round width, so their edges read well
            boolean fraction = min >= 0 && max <= 1;
            double width = fraction ? 1.0 / BINS : Axis.niceStep(Math.max(max - min, Math.abs(max) * 1e-6 + 1e-30) / BINS);
            double lo = fraction ? 0 : Math.floor(min / width) * width;
            int bins = fraction ? BINS : Math.max(1, (int) Math.floor((max - lo) / width + 1e-9) + 1);
            double[] counts = new double[bins];
            for (double x : v) {
                if (Double.isFinite(x)) {
                    // the small nudge keeps 0.3 / 0.05 = 5.9999... in bin 6, where the label says it is
                    counts[Math.max(0, Math.min(bins - 1, (int) Math.floor((x - lo) / width + 1e-9)))]++;
                }
            }
            List<String> labels = new ArrayList<>();
            List<String> ranges = new ArrayList<>();
            for (int i = 0; i < bins; i++) {
                labels.add(Svg.readable(lo + i * width));
                ranges.add("[" + Svg.readable(lo + i * width) + ", " + Svg.readable(lo + (i + 1) * width) + (i == bins - 1 ? "]" : ")"));
            }
            String title = n + " tensors by " + Names.of(field) + " (bins of " + Svg.readable(width) + ")";
            String svg = BarChart.render("histogram", field, title, Names.of(field) + " from", "tensors", labels, counts);
            figs.add(new Figure(svg, Figure.table(field, "tensors", ranges, counts)));
            break;
        }
        return figs;
    }
}
