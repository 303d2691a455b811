package dev.surgeon.cli.report.html;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The --report-html page, rendered from the report JSON alone (one source of truth): header,
 * inputs and outputs, params, summary, warnings, then the charts with their numbers beside them.
 * Self-contained: inline CSS and SVG, no script, nothing fetched.
 */
public final class HtmlReport {
    private static final String STYLE = """
            body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fff;max-width:1150px}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px;border-bottom:1px solid #ddd}
            table{border-collapse:collapse;font-size:13px}td,th{padding:2px 8px;text-align:left;vertical-align:top}
            th{background:#f3f3f3}tr:nth-child(even) td{background:#fafafa}td.num{text-align:right;font-variant-numeric:tabular-nums}
            .mono{font-family:ui-monospace,monospace;word-break:break-all}
            .fig{display:flex;gap:16px;align-items:flex-start;margin:8px 0 16px}
            .numbers{max-height:260px;overflow:auto;border:1px solid #eee}
            .warn{color:#8a4b00}
            svg.chart{font:11px system-ui,sans-serif;background:#fff;flex:none}
            svg .chart-title{font-size:13px;font-weight:600}
            svg .grid{stroke:#e4e4e4}svg .axis{stroke:#555}
            svg .tick.y{text-anchor:end}svg .tick.x{text-anchor:middle}svg .label{text-anchor:middle;fill:#444}
            svg .bar{fill:#4878a8}svg .bar.negative{fill:#b8573c}svg .bar:hover{fill:#2a4f75}
            svg .line{fill:none;stroke:#4878a8;stroke-width:2}svg .point{fill:#4878a8}
            svg .point.chosen{fill:#e07b00;stroke:#222;stroke-width:1.5}svg .chosen-label{fill:#a85a00;font-weight:600}
            """;

    private HtmlReport() {
    }

    public static String render(JsonObject report) {
        List<ChartPicker.Section> sections = ChartPicker.pick(report);
        StringBuilder b = new StringBuilder(64 * 1024);
        String command = nz(Json.str(report, "command"));
        String method = Json.str(report, "method");
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>");
        b.append("<meta name=\"surgeon-page-height\" content=\"").append(height(report, sections)).append("\"/>");
        b.append("<title>surgeon ").append(Svg.esc(command)).append(" report</title><style>").append(STYLE).append("</style></head><body>\n");
        b.append("<h1>").append(Svg.esc(nz(Json.str(report, "tool")))).append(' ').append(Svg.esc(command))
                .append(method == null ? "" : " — " + Svg.esc(method)).append("</h1>");
        b.append("<p>version ").append(Svg.esc(nz(Json.str(report, "version"))));
        if (Json.str(report, "seed") != null) {
            b.append(", seed ").append(Svg.esc(Json.str(report, "seed")));
        }
        b.append("</p>\n");
        files(b, "Inputs", report, "inputs");
        files(b, "Outputs", report, "outputs");
        keyValues(b, "Parameters", Json.obj(report, "params"));
        keyValues(b, "Summary", Json.obj(report, "summary"));
        warnings(b, report);
        keyValues(b, "Search", scalars(Json.obj(report, "search")));
        for (ChartPicker.Section s : sections) {
            b.append("<h2>").append(Svg.esc(s.heading())).append("</h2>\n");
            for (Figure f : s.figures()) {
                b.append("<div class=\"fig\">").append(f.svg()).append("<div class=\"numbers\">").append(f.table()).append("</div></div>\n");
            }
        }
        b.append("</body></html>\n");
        return b.toString();
    }

    private static void files(StringBuilder b, String heading, JsonObject report, String key) {
        List<JsonObject> rows = Json.objects(report, key);
        if (rows.isEmpty()) {
            return;
        }
        b.append("<h2>").append(heading).append("</h2><table><thead><tr><th>path</th><th>tensors</th><th>bytes</th><th>sha256</th></tr></thead><tbody>");
        for (JsonObject r : rows) {
            b.append("<tr><td class=\"mono\">").append(Svg.esc(nz(Json.str(r, "path")))).append("</td><td class=\"num\">")
                    .append(Svg.esc(nz(Json.str(r, "tensors")))).append("</td><td class=\"num\">").append(Svg.esc(nz(Json.str(r, "bytes"))))
                    .append("</td><td class=\"mono\">").append(Svg.esc(nz(Json.str(r, "sha256")))).append("</td></tr>");
        }
        b.append("</tbody></table>\n");
    }

    /** A two-column table of an object's fields; nested values are shown as compact JSON, cut at 300 characters. */
    private static void keyValues(StringBuilder b, String heading, JsonObject o) {
        if (o == null || o.size() == 0) {
            return;
        }
        b.append("<h2>").append(heading).append("</h2><table><tbody>");
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            JsonElement v = e.getValue();
            String text = v.isJsonNull() ? "—" : v.isJsonPrimitive() ? v.getAsString() : v.toString();
            if (text.length() > 300) {
                text = text.substring(0, 300) + " …";
            }
            boolean num = Json.isNumber(v); // numbers as written in the JSON: the table is the exact record
            b.append("<tr><th>").append(Svg.esc(e.getKey())).append("</th><td").append(num ? "" : " class=\"mono\"").append(">")
                    .append(Svg.esc(text)).append("</td></tr>");
        }
        b.append("</tbody></table>\n");
    }

    private static JsonObject scalars(JsonObject o) {
        if (o == null) {
            return null;
        }
        JsonObject s = new JsonObject();
        o.entrySet().forEach(e -> {
            if (e.getValue().isJsonPrimitive() || e.getValue().isJsonNull()) {
                s.add(e.getKey(), e.getValue());
            } else if (e.getValue().isJsonObject()) {
                // HMA's start / result: their scalars, flattened one level
                e.getValue().getAsJsonObject().entrySet().forEach(x -> s.add(e.getKey() + "." + x.getKey(), x.getValue()));
            }
        });
        return s;
    }

    private static void warnings(StringBuilder b, JsonObject report) {
        JsonElement w = report.get("warnings");
        if (w == null || !w.isJsonArray()) {
            return;
        }
        b.append("<h2>Warnings</h2>");
        if (w.getAsJsonArray().isEmpty()) {
            b.append("<p>none</p>\n");
            return;
        }
        b.append("<ul>");
        w.getAsJsonArray().forEach(x -> b.append("<li class=\"warn\">").append(Svg.esc(x.isJsonPrimitive() ? x.getAsString() : x.toString()))
                .append("</li>"));
        b.append("</ul>\n");
    }

    /** About how tall the page renders at 1200 px wide, for scripts/render-report's screenshot window. */
    static int height(JsonObject report, List<ChartPicker.Section> sections) {
        int rows = Json.objects(report, "inputs").size() + Json.objects(report, "outputs").size() + 6;
        Map<String, Integer> sizes = new TreeMap<>();
        for (String k : new String[] {"params", "summary", "search"}) {
            JsonObject o = Json.obj(report, k);
            sizes.put(k, o == null ? 0 : o.size() + 4);
        }
        rows += sizes.values().stream().mapToInt(Integer::intValue).sum();
        JsonElement w = report.get("warnings");
        rows += w != null && w.isJsonArray() ? w.getAsJsonArray().size() + 3 : 0;
        int figures = sections.stream().mapToInt(s -> s.figures().size()).sum();
        return 120 + rows * 24 + sections.size() * 50 + figures * (Frame.H + 20);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
