package dev.surgeon.cli.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.surgeon.cli.ReportOptions;
import dev.surgeon.cli.VersionProvider;
import dev.surgeon.cli.report.html.HtmlReport;
import dev.surgeon.io.error.IoFailureException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JSON report of a run, with the fields DESIGN.md lists ({tool, version, command, ..., warnings}).
 * Commands add what they know; {@link #emit} prints it on stdout (--json) and/or writes it (--report).
 */
public final class Report {
    // Made with the class even when a run writes no JSON: a command's class-data archive holds the
    // classes its first run loaded, and gson's would be missing from it after a run without --json.
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
            .serializeSpecialFloatingPointValues().create();
    private static final Gson STRICT = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create();

    private final JsonObject root = new JsonObject();
    private final JsonArray warnings = new JsonArray();
    private final long started = System.nanoTime();

    public Report(String command) {
        root.addProperty("tool", "surgeon");
        root.addProperty("version", VersionProvider.version());
        root.addProperty("command", command);
    }

    public JsonObject root() {
        return root;
    }

    public Report put(String key, JsonElement value) {
        root.add(key, value);
        return this;
    }

    public Report put(String key, String value) {
        root.addProperty(key, value);
        return this;
    }

    public Report put(String key, Number value) {
        root.addProperty(key, value);
        return this;
    }

    /** Records a warning in the report and prints it on stderr (one line each). */
    public Report warn(String w) {
        warnings.add(w);
        dev.surgeon.cli.Console.warn(w);
        return this;
    }

    public Report warnAll(Iterable<String> ws) {
        ws.forEach(this::warn);
        return this;
    }

    public int warningCount() {
        return warnings.size();
    }

    public double seconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    /** A summary object with the run's wall time and peak resident memory filled in. */
    public JsonObject summary() {
        JsonObject s = root.has("summary") ? root.getAsJsonObject("summary") : new JsonObject();
        root.add("summary", s);
        return s;
    }

    public void emit(ReportOptions opts) {
        JsonObject s = summary();
        s.addProperty("seconds", Math.round(seconds() * 1000) / 1000.0);
        long rss = PeakRss.bytes();
        if (rss > 0) {
            s.addProperty("peak_rss_bytes", rss);
        }
        root.add("warnings", warnings);
        if (opts == null || (!opts.json && opts.report == null && opts.reportHtml == null)) {
            return; // no one reads it
        }
        // Strict JSON for jq and friends: a NaN or infinite number (e.g. a relative change over a
        // zero norm) is written as null.
        JsonObject strict = finite(schema(root)).getAsJsonObject();
        String text = STRICT.toJson(strict);
        if (opts.json) {
            System.out.println(text);
            System.out.flush();
        }
        if (opts.report != null) {
            AtomicFile.write(opts.report, text + "\n", "report");
        }
        if (opts.reportHtml != null) {
            // drawn from the same strict JSON the report holds, so the page and the numbers agree
            AtomicFile.write(opts.reportHtml, HtmlReport.render(strict), "HTML report");
        }
    }

    /** Every key of the documented schema, in its order (absent ones empty or null), then the command's own. */
    static JsonObject schema(JsonObject r) {
        JsonObject o = new JsonObject();
        for (String k : new String[] {"tool", "version", "command", "method", "params", "seed", "inputs", "outputs", "summary",
                "blocks", "tensors", "warnings"}) {
            JsonElement v = r.get(k);
            if (v == null) {
                v = switch (k) {
                    case "params", "summary" -> new JsonObject();
                    case "inputs", "outputs", "blocks", "tensors", "warnings" -> new JsonArray();
                    default -> com.google.gson.JsonNull.INSTANCE;
                };
            }
            o.add(k, v);
        }
        r.entrySet().forEach(e -> {
            if (!o.has(e.getKey())) {
                o.add(e.getKey(), e.getValue());
            }
        });
        return o;
    }

    static JsonElement finite(JsonElement e) {
        if (e.isJsonObject()) {
            JsonObject o = new JsonObject();
            e.getAsJsonObject().entrySet().forEach(en -> o.add(en.getKey(), finite(en.getValue())));
            return o;
        }
        if (e.isJsonArray()) {
            JsonArray a = new JsonArray();
            e.getAsJsonArray().forEach(x -> a.add(finite(x)));
            return a;
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            double d = e.getAsDouble();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return com.google.gson.JsonNull.INSTANCE;
            }
        }
        return e;
    }

    public static Gson gson() {
        return GSON;
    }
}
