package dev.surgeon.ops.average;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import dev.surgeon.io.error.IoFailureException;
import dev.surgeon.io.error.UsageException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code --ratios-file} of {@code surgeon average}, strict JSON of one of two forms:
 * {@code {"logits": [s_1..s_K], "epsilon": ε}} (HMA; ε optional) or {@code {"ratios": [W_1..W_K]}}
 * (partwise MA, POST weights in [0,1]); either may add {@code "pivots": [p_1..p_{K−1}]}. Content
 * that does not parse or breaks these rules is a usage error; an unreadable file an I/O failure.
 * Unknown keys are ignored with a warning.
 *
 * @param logits   HMA logits, or null
 * @param epsilon  HMA ε when the file gives one, else null
 * @param ratios   partwise POST weights, or null
 * @param pivots   the file's pivots, or null
 * @param warnings unknown keys met
 */
public record RatiosFile(double[] logits, Double epsilon, double[] ratios, int[] pivots, List<String> warnings) {

    public boolean isHma() {
        return logits != null;
    }

    public static RatiosFile read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IoFailureException(file + ": ratios file not found", e);
        } catch (IOException e) {
            throw new IoFailureException(file + ": cannot read the ratios file (" + e.getMessage() + ")", e);
        }
        return parse(text, file.toString());
    }

    /** Parses the file's text; {@code where} names it in messages. */
    public static RatiosFile parse(String text, String where) {
        JsonObject root;
        try {
            JsonElement e = new GsonBuilder().setStrictness(Strictness.STRICT).create().fromJson(text, JsonElement.class);
            if (e == null || !e.isJsonObject()) {
                throw bad(where, "is not a JSON object");
            }
            root = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw bad(where, "is not valid JSON (" + e.getMessage() + ")");
        }
        List<String> warnings = new ArrayList<>();
        for (Map.Entry<String, JsonElement> en : root.entrySet()) {
            String k = en.getKey();
            if (!k.equals("logits") && !k.equals("epsilon") && !k.equals("ratios") && !k.equals("pivots")) {
                warnings.add(where + ": unknown key '" + k + "' ignored (expected logits, epsilon, ratios, pivots)");
            }
        }
        boolean hasLogits = root.has("logits");
        boolean hasRatios = root.has("ratios");
        if (hasLogits == hasRatios) {
            throw bad(where, hasLogits ? "gives both \"logits\" and \"ratios\"; give one"
                    : "needs \"logits\" (HMA) or \"ratios\" (POST weight per part)");
        }
        double[] logits = hasLogits ? numbers(root.get("logits"), where, "logits") : null;
        double[] ratios = hasRatios ? numbers(root.get("ratios"), where, "ratios") : null;
        Double epsilon = null;
        if (root.has("epsilon")) {
            if (!hasLogits) {
                throw bad(where, "\"epsilon\" applies only to \"logits\" (HMA)");
            }
            epsilon = number(root.get("epsilon"), where, "epsilon");
            if (epsilon < 0) {
                throw bad(where, "\"epsilon\" must be >= 0, not " + epsilon);
            }
        }
        if (ratios != null) {
            for (double r : ratios) {
                if (r < 0 || r > 1) {
                    throw bad(where, "ratio " + r + " is outside [0,1] (ratios are POST weights)");
                }
            }
        }
        int[] pivots = null;
        if (root.has("pivots")) {
            double[] p = numbers(root.get("pivots"), where, "pivots", true);
            pivots = new int[p.length];
            for (int i = 0; i < p.length; i++) {
                if (p[i] != Math.rint(p[i]) || Math.abs(p[i]) > Integer.MAX_VALUE) {
                    throw bad(where, "pivot " + p[i] + " is not a block index");
                }
                pivots[i] = (int) p[i];
            }
        }
        return new RatiosFile(logits, epsilon, ratios, pivots, List.copyOf(warnings));
    }

    private static double[] numbers(JsonElement e, String where, String key) {
        return numbers(e, where, key, false);
    }

    private static double[] numbers(JsonElement e, String where, String key, boolean mayBeEmpty) {
        if (!e.isJsonArray()) {
            throw bad(where, "\"" + key + "\" must be an array of numbers");
        }
        JsonArray a = e.getAsJsonArray();
        if (a.isEmpty() && !mayBeEmpty) {
            throw bad(where, "\"" + key + "\" is empty");
        }
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = number(a.get(i), where, key);
        }
        return v;
    }

    private static double number(JsonElement e, String where, String key) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw bad(where, "\"" + key + "\" holds " + e + ", not a number");
        }
        double d = e.getAsDouble();
        if (!Double.isFinite(d)) {
            throw bad(where, "\"" + key + "\" holds " + e + ", not a finite number");
        }
        return d;
    }

    private static UsageException bad(String where, String what) {
        return new UsageException(where + ": ratios file " + what);
    }
}
