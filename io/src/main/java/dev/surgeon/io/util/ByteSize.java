package dev.surgeon.io.util;

import dev.surgeon.io.error.UsageException;

import java.util.Locale;

/** Parses and prints byte counts with K/M/G/T suffixes (powers of 1024; "KB", "KiB" and "k" accepted). */
public final class ByteSize {
    private ByteSize() {
    }

    public static long parse(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
        if (t.isEmpty()) {
            throw new UsageException("'" + s + "' is not a size (use e.g. 500M, 5G)");
        }
        long mult = 1;
        char last = t.charAt(t.length() - 1);
        int shift = "KMGT".indexOf(last);
        if (shift >= 0) {
            mult = 1L << (10 * (shift + 1));
            t = t.substring(0, t.length() - 1);
        }
        try {
            double v = Double.parseDouble(t);
            if (!(v > 0) || Double.isInfinite(v) || v * mult > Long.MAX_VALUE) {
                throw new UsageException("'" + s + "' is not a positive size");
            }
            return (long) Math.ceil(v * mult);
        } catch (NumberFormatException e) {
            throw new UsageException("'" + s + "' is not a size (use e.g. 500M, 5G)");
        }
    }

    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return Decimals.fixed(v, 1) + " " + units[i];
    }
}
