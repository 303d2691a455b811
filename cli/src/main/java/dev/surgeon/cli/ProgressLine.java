package dev.surgeon.cli;

import java.util.Locale;

/**
 * The text of one progress-bar line, a pure function of the counts, the elapsed time and the
 * width (tested on its own): {@code convert [#####-----]  45% 131/291 tensors 512.0 MiB/1.1 GiB 210.3 MB/s ETA 0:03}.
 * Rates are decimal MB/s (10^6 bytes), sizes binary (KiB, MiB, GiB) as elsewhere in surgeon.
 */
public final class ProgressLine {
    static final String GREEN = "\033[32m";
    static final String DIM = "\033[2m";
    static final String BOLD = "\033[1m";
    static final String RESET = "\033[0m";

    private ProgressLine() {
    }

    /**
     * @param label   the command ("convert", "prune: sampling")
     * @param done    items done (tensors, sequences, blocks)
     * @param total   items in all; 0 when unknown
     * @param unit    the items' name
     * @param bytes   bytes done; with {@code totalBytes} = 0 no byte counts are shown
     * @param seconds elapsed since start; 0 when unknown (no rate, no ETA, "done" at the end)
     * @param width   the line's width in columns; the bar takes what the text leaves (at least 10)
     * @param color   ANSI colours (only when a terminal and NO_COLOR is unset)
     */
    public static String render(String label, long done, long total, String unit, long bytes, long totalBytes,
                                double seconds, int width, boolean color) {
        double fraction = totalBytes > 0 ? (double) bytes / totalBytes : total > 0 ? (double) done / total : 0;
        fraction = Math.max(0, Math.min(1, fraction));
        String percent = String.format(Locale.ROOT, "%4d%%", (int) Math.floor(fraction * 100));
        String count = done + "/" + (total > 0 ? Long.toString(total) : "?") + " " + unit;
        String sizes = totalBytes > 0 ? size(bytes) + "/" + size(totalBytes) : null;
        String speed = fraction >= 1 && seconds <= 0 ? null : rate(done, bytes, totalBytes, unit, seconds);
        String time = fraction >= 1 ? (seconds > 0 ? "in " + clock(seconds) : "done") : "ETA " + eta(fraction, seconds);
        // On a narrow terminal the sizes go first, then the rate, then the bar: a line that wraps
        // cannot be redrawn in place.
        String[] tails = {
                join(percent, count, sizes, speed, time),
                join(percent, count, speed, time),
                join(percent, count, time)};
        String head = label + " ";
        for (String tail : tails) {
            int barWidth = width - 1 - head.length() - 2 - tail.length() - 1;
            if (barWidth >= MIN_BAR) {
                return (color ? BOLD + label + RESET + " " : head) + bar(fraction, barWidth, color) + " " + tail;
            }
        }
        String line = head + tails[2].strip();
        return line.length() <= width - 1 ? line : line.substring(0, Math.max(0, width - 1));
    }

    static final int MIN_BAR = 10;

    private static String join(String... parts) {
        StringBuilder b = new StringBuilder();
        for (String p : parts) {
            if (p != null) {
                b.append(b.length() == 0 ? "" : " ").append(p);
            }
        }
        return b.toString();
    }

    private static String bar(double fraction, int barWidth, boolean color) {
        int filled = (int) Math.floor(fraction * barWidth);
        String fill = "#".repeat(filled);
        String empty = "-".repeat(barWidth - filled);
        return color ? "[" + GREEN + fill + RESET + DIM + empty + RESET + "]" : "[" + fill + empty + "]";
    }

    /** MB/s when bytes are counted, else items per second. */
    static String rate(long done, long bytes, long totalBytes, String unit, double seconds) {
        if (seconds <= 0) {
            return totalBytes > 0 ? "-- MB/s" : "-- " + unit + "/s";
        }
        if (totalBytes > 0) {
            return String.format(Locale.ROOT, "%.1f MB/s", bytes / 1e6 / seconds);
        }
        return String.format(Locale.ROOT, "%.1f %s/s", done / seconds, unit);
    }

    /** Remaining time at the average rate so far; "--:--" until there is a rate to go by. */
    static String eta(double fraction, double seconds) {
        if (fraction <= 0 || seconds < 0.5) {
            return "--:--";
        }
        return clock(seconds * (1 - fraction) / fraction);
    }

    /** m:ss, or h:mm:ss from an hour. */
    static String clock(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** The printable width of a line: its length without ANSI escape sequences. */
    static int visibleLength(String s) {
        return s.replaceAll("\033\\[[0-9;]*m", "").length();
    }
}
