package dev.surgeon.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.surgeon.io.util.Decimals;

import java.util.Locale;

/** Number formatting for the human tables, and small JSON helpers shared by the report views. */
final class Fmt {
    private Fmt() {
    }

    /**
     * 1234567 → "1,234,567". By hand, not {@code String.format("%,d")}: inspect prints a few of these,
     * and the formatter's first use (format parsing, locale data) was a twentieth of its start-up.
     */
    static String count(long n) {
        String d = Long.toString(n);
        int sign = n < 0 ? 1 : 0;
        int digits = d.length() - sign;
        StringBuilder b = new StringBuilder(d.length() + digits / 3);
        b.append(d, 0, sign);
        for (int i = 0; i < digits; i++) {
            if (i > 0 && (digits - i) % 3 == 0) {
                b.append(',');
            }
            b.append(d.charAt(sign + i));
        }
        return b.toString();
    }

    /** "1 tensor", "2 tensors". */
    static String plural(long n, String noun) {
        return count(n) + " " + noun + (n == 1 ? "" : "s");
    }

    /** A real number in 6 significant digits ("nan", "inf", "-inf" for the special values). */
    static String num(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1e-4 && a < 1e6) {
            String s = String.format(Locale.ROOT, "%.6g", v);
            if (s.contains(".") && !s.contains("e")) {
                s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
            }
            return s;
        }
        return String.format(Locale.ROOT, "%.4e", v);
    }

    /** A fraction as a percentage with one decimal. */
    static String percent(double f) {
        return Decimals.fixed(100 * f, 1) + "%";
    }

    static JsonArray shape(long[] shape) {
        JsonArray a = new JsonArray();
        for (long d : shape) {
            a.add(d);
        }
        return a;
    }

    /** A double for a report: NaN (no value) becomes null, which the report leaves out; infinities stay. */
    static void put(JsonObject o, String key, double v) {
        if (Double.isNaN(v)) {
            o.add(key, com.google.gson.JsonNull.INSTANCE);
        } else {
            o.add(key, new JsonPrimitive(v));
        }
    }
}
