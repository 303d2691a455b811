package dev.surgeon.cli.command;

import dev.surgeon.io.error.UsageException;
import dev.surgeon.ops.prune.CalibratedPruning;
import dev.surgeon.ops.prune.Magnitude;

import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The validated core of a prune command line: method, sparsity, comparison group and N:M.
 *
 * @param method null for magnitude
 * @param ratio  the sparsity S (N/M under --nm)
 * @param nmN    N of --nm N:M, 0 without
 * @param nmM    M of --nm N:M, 0 without
 */
record PruneRequest(CalibratedPruning.Method method, double ratio, Magnitude.Group group, int nmN, int nmM) {
    private static final Pattern NM = Pattern.compile("(\\d{1,9}):(\\d{1,9})");

    boolean magnitude() {
        return method == null;
    }

    String name() {
        return method == null ? "magnitude" : method.name().toLowerCase(Locale.ROOT);
    }

    /** Parses and checks the options (usage errors, exit 2). */
    static PruneRequest resolve(String methodName, Double ratio, String groupName, String nm) {
        CalibratedPruning.Method method = method(methodName);
        int n = 0;
        int m = 0;
        if (nm != null) {
            Matcher mm = NM.matcher(nm.trim());
            if (!mm.matches()) {
                throw new UsageException("--nm takes N:M with whole numbers (e.g. 2:4: 2 zeros in every 4), not '" + nm + "'");
            }
            n = Integer.parseInt(mm.group(1));
            m = Integer.parseInt(mm.group(2));
            if (n < 1 || n >= m) {
                throw new UsageException("--nm " + nm + ": N zeros in every M needs 1 <= N < M");
            }
            double nmRatio = (double) n / m;
            if (ratio != null && Math.abs(ratio - nmRatio) > 1e-9) {
                throw new UsageException("--ratio " + ratio + " disagrees with --nm " + nm + " (N/M = " + nmRatio
                        + "); give --ratio " + nmRatio + " or leave it out");
            }
            if (groupName != null) {
                throw new UsageException("--nm sets the comparison groups (each M consecutive input columns of a row); "
                        + "leave out --group");
            }
            if (method == CalibratedPruning.Method.ECOFLAP) {
                throw new UsageException("--nm fixes every row at N/M, but ecoflap gives each block its own sparsity; "
                        + "use --method wanda or magnitude with --nm");
            }
            ratio = nmRatio;
        }
        if (ratio == null) {
            throw new UsageException("--ratio S is required (the fraction of prunable weights to zero, in [0, 1)), "
                    + "or --nm N:M");
        }
        if (!(ratio >= 0 && ratio < 1)) {
            throw new UsageException("--ratio must be in [0, 1), not " + ratio);
        }
        Magnitude.Group group = group(groupName, method);
        return new PruneRequest(method, ratio, group, n, m);
    }

    /** The request B's {@link CalibratedPruning} takes. */
    CalibratedPruning.Request request(boolean oneShot, Path sparsityFile, int batch, long seed) {
        return new CalibratedPruning.Request(method, ratio, nmN, nmM, group == Magnitude.Group.MATRIX, oneShot,
                sparsityFile, batch, seed);
    }

    private static CalibratedPruning.Method method(String name) {
        String s = name.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "magnitude":
                return null;
            case "wanda":
                return CalibratedPruning.Method.WANDA;
            case "ecoflap":
                return CalibratedPruning.Method.ECOFLAP;
            default:
                throw new UsageException("unknown --method '" + name + "'; the methods are " + PruneCommand.methodList());
        }
    }

    private static Magnitude.Group group(String name, CalibratedPruning.Method method) {
        if (name == null) {
            return method == null ? Magnitude.Group.MATRIX : Magnitude.Group.ROW;
        }
        Magnitude.Group g;
        try {
            g = Magnitude.Group.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--group must be row, matrix or global, not '" + name + "'");
        }
        if (g == Magnitude.Group.GLOBAL && method != null) {
            throw new UsageException("--group global applies to --method magnitude; "
                    + method.name().toLowerCase(Locale.ROOT) + " compares within rows (or matrices)");
        }
        if (g == Magnitude.Group.MATRIX && method == CalibratedPruning.Method.ECOFLAP) {
            throw new UsageException("--group matrix does not apply to ecoflap, which prunes per output row with exact "
                    + "block totals");
        }
        return g;
    }
}
