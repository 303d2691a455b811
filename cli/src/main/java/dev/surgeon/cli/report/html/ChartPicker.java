package dev.surgeon.cli.report.html;

import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which charts a report gets, from what the report holds: one per numeric per-block field, the
 * AMA ratio of each part, the sweep curves of a search, and a histogram of the tensors.
 */
public final class ChartPicker {
    /** Per-block fields that are bookkeeping (counts, positions), not the story of the method. */
    private static final Set<String> NOT_CHARTED = Set.of("index", "output_index", "part", "tensors", "weights", "pruned");

    /** A titled group of figures on the page. */
    public record Section(String heading, List<Figure> figures) {
    }

    private ChartPicker() {
    }

    public static List<Section> pick(JsonObject report) {
        List<Section> out = new ArrayList<>();
        add(out, "Per block", blocks(report));
        add(out, "Per part", parts(report));
        add(out, "Search sweep", SearchCharts.of(report));
        add(out, "Tensors", TensorHistogram.of(report));
        return out;
    }

    private static void add(List<Section> out, String heading, List<Figure> figures) {
        if (!figures.isEmpty()) {
            out.add(new Section(heading, figures));
        }
    }

    static List<Figure> blocks(JsonObject report) {
        List<JsonObject> rows = Json.objects(report, "blocks");
        List<Figure> figs = new ArrayList<>();
        if (rows.isEmpty()) {
            return figs;
        }
        List<String> labels = new ArrayList<>();
        double[] xs = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            double idx = Json.num(rows.get(i), "index");
            xs[i] = Double.isNaN(idx) ? i : idx;
            labels.add(xs[i] < 0 ? "outside" : Svg.exact(xs[i]));
        }
        for (String field : Json.numericKeys(rows)) {
            if (NOT_CHARTED.contains(field)) {
                continue;
            }
            double[] v = Json.column(rows, field);
            String name = Names.of(field);
            String title = name + " per block";
            String svg = field.equals("lambda")
                    ? LineChart.render("line", field, title, "block", name, xs, v, -1, true)
                    : BarChart.render("bar", field, title, "block", name, labels, v);
            figs.add(new Figure(svg, Figure.table("block", field, labels, v)));
        }
        return figs;
    }

    /** AMA: the POST weight of each part (params.ratios), labelled with the blocks the part spans. */
    static List<Figure> parts(JsonObject report) {
        List<Figure> figs = new ArrayList<>();
        JsonObject params = Json.obj(report, "params");
        if (!"average".equals(Json.str(report, "command")) || params == null) {
            return figs;
        }
        double[] ratios = Json.numbers(params, "ratios");
        if (ratios.length == 0) {
            return figs;
        }
        List<JsonObject> blocks = Json.objects(report, "blocks");
        List<String> labels = new ArrayList<>();
        for (int k = 0; k < ratios.length; k++) {
            int first = -1;
            int last = -1;
            for (JsonObject b : blocks) {
                if (Json.num(b, "part") == k) {
                    int i = (int) Json.num(b, "index");
                    first = first < 0 ? i : Math.min(first, i);
                    last = Math.max(last, i);
                }
            }
            labels.add(first < 0 ? Integer.toString(k) : k + " (blocks " + first + (last > first ? "–" + last : "") + ")");
        }
        String svg = BarChart.render("bar", "ratios", "AMA: POST weight W per part", "part", "POST weight W", shortLabels(ratios.length), ratios);
        figs.add(new Figure(svg, Figure.table("part", "ratios", labels, ratios)));
        double[] authors = Json.numbers(params, "ratios_authors");
        if (authors.length == ratios.length && ratios.length > 1) {
            String svg2 = BarChart.render("bar", "ratios_authors", "AMA: authors' r = 1 − W per part", "part", "r (PRE weight)",
                    shortLabels(authors.length), authors);
            figs.add(new Figure(svg2, Figure.table("part", "ratios_authors", labels, authors)));
        }
        return figs;
    }

    private static List<String> shortLabels(int n) {
        List<String> l = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            l.add(Integer.toString(k));
        }
        return l;
    }
}
