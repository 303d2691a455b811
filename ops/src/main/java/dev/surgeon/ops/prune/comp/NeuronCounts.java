package dev.surgeon.ops.prune.comp;

import java.util.Arrays;

/**
 * How many MLP neurons each kept block loses, given the total. By score: every neuron of every
 * kept block is ranked by its share of its block's MLP output (OBS saliency / E‖y‖², comparable
 * across blocks) and the lowest go first, no block losing more than p + {@link #MARGIN} of its
 * neurons (p the overall fraction; at most {@link #MAX_FRACTION}), so a block that looks
 * redundant on little data is not emptied. Uniform: every block ends at the same width, so stock
 * loaders (one {@code intermediate_size}) read the result.
 */
final class NeuronCounts {
    /** How far above the overall fraction one block may go. */
    static final double MARGIN = 0.2;
    /** No block loses more than this fraction of its neurons. */
    static final double MAX_FRACTION = 0.95;

    private NeuronCounts() {
    }

    /**
     * @param widths neurons per kept block
     * @param scores per kept block, one comparable score per neuron
     * @param remove total neurons to remove
     * @return neurons removed per kept block
     */
    static int[] byScore(int[] widths, double[][] scores, long remove) {
        long total = Arrays.stream(widths).asLongStream().sum();
        check(total, remove);
        double p = (double) remove / total;
        double capFraction = Math.min(p + MARGIN, MAX_FRACTION);
        int[] cap = new int[widths.length];
        for (int b = 0; b < widths.length; b++) {
            cap[b] = (int) Math.min(widths[b] - 1L, (long) Math.floor(capFraction * widths[b]));
        }
        long[] order = rank(widths, scores);
        int[] out = new int[widths.length];
        long left = remove;
        for (long key : order) {
            if (left == 0) {
                break;
            }
            int b = (int) (key >>> 32);
            if (out[b] < cap[b]) {
                out[b]++;
                left--;
            }
        }
        // the caps' rounding can leave a few: take them from the lowest-ranked neurons left
        for (int pass = 0; left > 0 && pass < 2; pass++) {
            for (long key : order) {
                if (left == 0) {
                    break;
                }
                int b = (int) (key >>> 32);
                if (out[b] < widths[b] - 1) {
                    out[b]++;
                    left--;
                }
            }
        }
        return out;
    }

    /**
     * Every block at width w = round((Σ widths − remove) / blocks); the total then differs from
     * {@code remove} by less than one neuron per block.
     */
    static int[] uniform(int[] widths, long remove) {
        long total = Arrays.stream(widths).asLongStream().sum();
        check(total, remove);
        long w = Math.max(1, Math.round((double) (total - remove) / widths.length));
        int[] out = new int[widths.length];
        for (int b = 0; b < widths.length; b++) {
            if (widths[b] < w) {
                throw new IllegalArgumentException("block width " + widths[b] + " is below the uniform width " + w);
            }
            out[b] = (int) (widths[b] - w);
        }
        return out;
    }

    private static void check(long total, long remove) {
        if (remove < 0 || remove > total * MAX_FRACTION) {
            throw new IllegalArgumentException("cannot remove " + remove + " of " + total + " neurons");
        }
    }

    /**
     * (block, neuron) keys in removal order: lowest score first; ties by block, then neuron index.
     * Each key packs block (high 32 bits) and neuron (low 32 bits); the neuron's own order is kept
     * by one index sort per block merged globally.
     */
    private static long[] rank(int[] widths, double[][] scores) {
        int n = 0;
        for (int w : widths) {
            n += w;
        }
        Integer[] idx = new Integer[n];
        int[] blockOf = new int[n];
        int[] neuronOf = new int[n];
        int at = 0;
        for (int b = 0; b < widths.length; b++) {
            if (scores[b].length != widths[b]) {
                throw new IllegalArgumentException("block " + b + ": " + scores[b].length + " scores for " + widths[b] + " neurons");
            }
            for (int j = 0; j < widths[b]; j++) {
                idx[at] = at;
                blockOf[at] = b;
                neuronOf[at] = j;
                at++;
            }
        }
        Arrays.sort(idx, (x, y) -> {
            int c = Double.compare(scores[blockOf[x]][neuronOf[x]], scores[blockOf[y]][neuronOf[y]]);
            return c != 0 ? c : Integer.compare(x, y);
        });
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = ((long) blockOf[idx[i]] << 32) | neuronOf[idx[i]];
        }
        return out;
    }
}
