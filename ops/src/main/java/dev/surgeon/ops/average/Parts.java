package dev.surgeon.ops.average;

import dev.surgeon.io.error.UsageException;

import java.util.Arrays;

/**
 * The blocks of a model split into K consecutive parts for partwise averaging (METHODS.md, "AMA"):
 * block N belongs to part k = the number of pivots p with N > p, so K = pivots + 1. Every part
 * holds at least one block: pivots are strictly increasing and lie in [0, L−2].
 */
public final class Parts {
    /** The authors' pivots for models of up to 30 blocks: parts [0,8), [8,16), [16,L). */
    static final int[] AUTHORS_SMALL = {7, 15};
    /** The authors' pivots above 30 blocks: parts [0,11), [11,21), [21,L). */
    static final int[] AUTHORS_LARGE = {10, 20};
    /** Parts of {@link #ofBlocks} when the model is too small for the authors' pivots. */
    public static final int DEFAULT_PARTS = 3;

    private final int[] pivots;
    private final int blockCount;
    private final String source;

    private Parts(int[] pivots, int blockCount, String source) {
        this.pivots = pivots;
        this.blockCount = blockCount;
        this.source = source;
    }

    /** Parts from explicit pivots; a usage error unless strictly increasing within [0, L−2]. */
    public static Parts ofPivots(int[] pivots, int blockCount) {
        return ofPivots(pivots, blockCount, "pivots");
    }

    /** As {@link #ofPivots(int[], int)}, with {@code source} saying where the pivots came from. */
    public static Parts ofPivots(int[] pivots, int blockCount, String source) {
        requireBlocks(blockCount);
        for (int i = 0; i < pivots.length; i++) {
            int p = pivots[i];
            if (p < 0 || p > blockCount - 2) {
                throw new UsageException("pivot " + p + " is outside [0, " + (blockCount - 2) + "]: the model has "
                        + blockCount + " blocks and every part needs one (block N is in part k = number of pivots p with N > p)");
            }
            if (i > 0 && p <= pivots[i - 1]) {
                throw new UsageException("pivots must be strictly increasing: " + Arrays.toString(pivots));
            }
        }
        return new Parts(pivots.clone(), blockCount, source);
    }

    /** K parts of ⌊L/K⌋ blocks each, the remainder going to the last part. */
    public static Parts ofBlocks(int parts, int blockCount) {
        requireBlocks(blockCount);
        if (parts < 1 || parts > blockCount) {
            throw new UsageException("--blocks " + parts + ": the model has " + blockCount + " blocks, so K must be in [1, "
                    + blockCount + "]");
        }
        int per = blockCount / parts;
        int[] pivots = new int[parts - 1];
        for (int k = 1; k < parts; k++) {
            pivots[k - 1] = k * per - 1;
        }
        return new Parts(pivots, blockCount, "blocks " + parts);
    }

    /**
     * The authors' three parts: pivots 7,15 for L ≤ 30 and 10,20 above; when L is too small for
     * them (its last part would be empty, L ≤ 16) three parts of ⌊L/3⌋ blocks instead.
     */
    public static Parts authorsDefault(int blockCount) {
        requireBlocks(blockCount);
        int[] p = blockCount <= 30 ? AUTHORS_SMALL : AUTHORS_LARGE;
        if (p[p.length - 1] > blockCount - 2) {
            if (blockCount < DEFAULT_PARTS) {
                throw new UsageException("the model has " + blockCount + " blocks: too few for the default "
                        + DEFAULT_PARTS + " parts; pass --blocks K with K <= " + blockCount + " or --pivots");
            }
            Parts b = ofBlocks(DEFAULT_PARTS, blockCount);
            return new Parts(b.pivots, blockCount, "default: blocks " + DEFAULT_PARTS + " (too few blocks for the authors' pivots "
                    + p[0] + "," + p[1] + ")");
        }
        return new Parts(p.clone(), blockCount, "default: the authors' pivots " + p[0] + "," + p[1]);
    }

    private static void requireBlocks(int blockCount) {
        if (blockCount < 1) {
            throw new UsageException("partwise averaging needs transformer blocks, and the layer map found none in this model");
        }
    }

    /** K. */
    public int count() {
        return pivots.length + 1;
    }

    /** The part of block {@code block}: the number of pivots below it. */
    public int partOf(int block) {
        int k = 0;
        for (int p : pivots) {
            if (block > p) {
                k++;
            }
        }
        return k;
    }

    public int[] pivots() {
        return pivots.clone();
    }

    public int blockCount() {
        return blockCount;
    }

    /** Where the split came from, for reports: "pivots", "blocks K", or the default used. */
    public String source() {
        return source;
    }

    /** Each part as a half-open block range, e.g. "[0,8) [8,16) [16,24)". */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        int start = 0;
        for (int k = 0; k <= pivots.length; k++) {
            int end = k < pivots.length ? pivots[k] + 1 : blockCount;
            if (k > 0) {
                sb.append(' ');
            }
            sb.append('[').append(start).append(',').append(end).append(')');
            start = end;
        }
        return sb.toString();
    }
}
