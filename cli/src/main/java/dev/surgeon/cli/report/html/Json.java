package dev.surgeon.cli.report.html;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Lenient reads of the report JSON: a missing or non-numeric field is NaN or empty, never an exception. */
final class Json {
    private Json() {
    }

    static boolean isNumber(JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber();
    }

    static double num(JsonObject o, String key) {
        JsonElement e = o == null ? null : o.get(key);
        return isNumber(e) ? e.getAsDouble() : Double.NaN;
    }

    static String str(JsonObject o, String key) {
        JsonElement e = o == null ? null : o.get(key);
        return e == null || e.isJsonNull() ? null : e.isJsonPrimitive() ? e.getAsString() : e.toString();
    }

    static JsonObject obj(JsonObject o, String key) {
        JsonElement e = o == null ? null : o.get(key);
        return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
    }

    /** The objects of an array field, skipping anything else. */
    static List<JsonObject> objects(JsonObject o, String key) {
        JsonElement e = o == null ? null : o.get(key);
        List<JsonObject> out = new ArrayList<>();
        if (e != null && e.isJsonArray()) {
            for (JsonElement x : e.getAsJsonArray()) {
                if (x.isJsonObject()) {
                    out.add(x.getAsJsonObject());
                }
            }
        }
        return out;
    }

    static double[] numbers(JsonObject o, String key) {
        JsonElement e = o == null ? null : o.get(key);
        if (e == null || !e.isJsonArray()) {
            return new double[0];
        }
        JsonArray a = e.getAsJsonArray();
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = isNumber(a.get(i)) ? a.get(i).getAsDouble() : Double.NaN;
        }
        return v;
    }

    /** Keys holding a number in at least one row, in first-seen order. */
    static Set<String> numericKeys(List<JsonObject> rows) {
        Set<String> keys = new LinkedHashSet<>();
        for (JsonObject r : rows) {
            r.entrySet().forEach(en -> {
                if (isNumber(en.getValue())) {
                    keys.add(en.getKey());
                }
            });
        }
        return keys;
    }

    static double[] column(List<JsonObject> rows, String key) {
        double[] v = new double[rows.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = num(rows.get(i), key);
        }
        return v;
    }

    static boolean varies(double[] v) {
        double first = Double.NaN;
        for (double x : v) {
            if (Double.isFinite(x)) {
                if (Double.isNaN(first)) {
                    first = x;
                } else if (x != first) {
                    return true;
                }
            }
        }
        return false;
    }
}
