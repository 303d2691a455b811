package dev.surgeon.cli.report.html;

import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The curves of a search: scale --search's sweep (score, NLLs against alpha, the chosen alpha
 * marked) and COMP's candidates (calibration NLL per candidate, the chosen one marked).
 */
final class SearchCharts {
    private SearchCharts() {
    }

    static List<Figure> of(JsonObject report) {
        List<Figure> figs = new ArrayList<>();
        JsonObject search = Json.obj(report, "search");
        List<JsonObject> sweep = Json.objects(search, "sweep");
        if (!sweep.isEmpty()) {
            sweep(figs, search, sweep);
        }
        candidates(figs, Json.objects(report, "candidates"));
        return figs;
    }

    private static void sweep(List<Figure> figs, JsonObject search, List<JsonObject> rows) {
        String xKey = null;
        for (String k : search.keySet()) {
            if (k.startsWith("chosen_") && Json.isNumber(search.get(k))) {
                xKey = k.substring("chosen_".length());
                break;
            }
        }
        List<String> keys = new ArrayList<>(Json.numericKeys(rows));
        if (xKey == null) {
            for (String k : keys) {
                if (Json.varies(Json.column(rows, k))) {
                    xKey = k;
                    break;
                }
            }
        }
        if (xKey == null) {
            return;
        }
        double[] xs = Json.column(rows, xKey);
        double chosenX = Json.num(search, "chosen_" + xKey);
        int chosen = -1;
        for (int i = 0; i < rows.size(); i++) {
            boolean flagged = rows.get(i).has("chosen") && rows.get(i).get("chosen").isJsonPrimitive()
                    && rows.get(i).get("chosen").getAsBoolean();
            if (xs[i] == chosenX || flagged) {
                chosen = i;
            }
        }
        // the score first: it is what the search maximizes
        if (keys.remove("score")) {
            keys.add(0, "score");
        }
        List<String> labels = new ArrayList<>();
        for (double x : xs) {
            labels.add(Svg.exact(x));
        }
        for (String k : keys) {
            double[] ys = Json.column(rows, k);
            if (k.equals(xKey) || !Json.varies(ys)) {
                continue;
            }
            String name = Names.of(k);
            String svg = LineChart.render("sweep", k, "search: " + name + " against " + Names.of(xKey), Names.of(xKey), name, xs, ys, chosen, false);
            figs.add(new Figure(svg, Figure.table(xKey, k, labels, ys)));
        }
    }

    private static void candidates(List<Figure> figs, List<JsonObject> rows) {
        double[] nll = Json.column(rows, "calibration_nll");
        int finite = 0;
        for (double v : nll) {
            finite += Double.isFinite(v) ? 1 : 0;
        }
        if (finite < 2) {
            return;
        }
        double[] xs = new double[rows.size()];
        List<String> labels = new ArrayList<>();
        int chosen = -1;
        for (int i = 0; i < xs.length; i++) {
            xs[i] = i;
            labels.add(Integer.toString(i));
            JsonObject r = rows.get(i);
            if (r.has("chosen") && r.get("chosen").isJsonPrimitive() && r.get("chosen").getAsBoolean()) {
                chosen = i;
            }
        }
        String svg = LineChart.render("sweep", "calibration_nll", "COMP candidates: calibration NLL", "candidate", "calibration NLL", xs, nll,
                chosen, false);
        figs.add(new Figure(svg, Figure.table("candidate", "calibration_nll", labels, nll)));
    }
}
