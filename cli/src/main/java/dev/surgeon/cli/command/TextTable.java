package dev.surgeon.cli.command;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table with aligned columns: 'l' columns left-aligned, 'r' right-aligned, two spaces apart. */
final class TextTable {
    private final String[] headers;
    private final String align;
    private final List<String[]> rows = new ArrayList<>();

    /** @param align one letter per column, 'l' or 'r' */
    TextTable(String align, String... headers) {
        if (align.length() != headers.length) {
            throw new IllegalArgumentException("one alignment letter per column");
        }
        this.headers = headers.clone();
        this.align = align;
    }

    TextTable row(Object... cells) {
        String[] r = new String[headers.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = i < cells.length && cells[i] != null ? cells[i].toString() : "";
        }
        rows.add(r);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    void print(PrintStream out, String indent) {
        print(out, indent, true);
    }

    /** Prints the rows, with the header line first when {@code header} is true. */
    void print(PrintStream out, String indent, boolean header) {
        int[] w = new int[headers.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = header ? headers[i].length() : 0;
            for (String[] r : rows) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        if (header) {
            line(out, indent, headers, w);
        }
        for (String[] r : rows) {
            line(out, indent, r, w);
        }
    }

    private void line(PrintStream out, String indent, String[] cells, int[] w) {
        StringBuilder sb = new StringBuilder(indent);
        for (int i = 0; i < cells.length; i++) {
            boolean last = i == cells.length - 1;
            String c = cells[i];
            int pad = w[i] - c.length();
            if (align.charAt(i) == 'r') {
                sb.append(" ".repeat(pad)).append(c);
            } else {
                sb.append(c);
                if (!last) {
                    sb.append(" ".repeat(pad));
                }
            }
            if (!last) {
                sb.append("  ");
            }
        }
        out.println(sb.toString().stripTrailing());
    }
}
