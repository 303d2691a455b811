package dev.surgeon.cli.report.html;

import java.util.Locale;

/** Text escaping and number formatting shared by the page and its charts (SVG inline in HTML, kept well-formed XML). */
public final class Svg {
    /** The only URL the page may hold: the SVG namespace, which names and fetches nothing. */
    public static final String XMLNS = "http://www.w3.org/2000/svg";

    private Svg() {
    }

    /** Escapes text for element content and double- or single-quoted attributes (tensor names and paths are user data). */
    public static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    // control characters are not allowed in XML 1.0; they carry nothing a reader needs
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                        b.append('?');
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** A pixel coordinate: two decimals are finer than any screen. */
    public static String px(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        if (s.endsWith(".00")) {
            s = s.substring(0, s.length() - 3);
        }
        return s.equals("-0") ? "0" : s;
    }

    /** A data value written so that it parses back to the same double (integers without ".0"). */
    public static String exact(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    /** A table cell: up to 10 significant digits (0.44, not 0.43999999999999995); data-* attributes keep {@link #exact}. */
    public static String cell(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        String s = String.format(Locale.ROOT, "%.10g", v);
        if (s.contains("e")) {
            return s.replaceAll("\\.?0+e", "e");
        }
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    /** A value for people to read: up to 6 significant digits. */
    public static String readable(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-4 || a >= 1e7)) {
            return String.format(Locale.ROOT, "%.4g", v);
        }
        String s = String.format(Locale.ROOT, "%.6g", v);
        if (s.contains(".") && !s.contains("e")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s;
    }
}
