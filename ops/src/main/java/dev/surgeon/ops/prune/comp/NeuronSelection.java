package dev.surgeon.ops.prune.comp;

import java.util.Arrays;

/**
 * Which neurons of a block stay: the {@code keep} highest-scoring. Ties go by index (the lower
 * index is removed first), so the choice is a pure function of the scores. Iteratively, the OBS
 * scores are recomputed on the survivors after each of {@link #ROUNDS} rounds, since removing a
 * neuron changes how redundant the others are.
 */
final class NeuronSelection {
    /** Removal rounds of {@code --iterative}. */
    static final int ROUNDS = 4;

    private NeuronSelection() {
    }

    /** The {@code keep} best of {@code scores} (one per neuron), ascending indices. */
    static int[] top(double[] scores, int keep) {
        return survivors(identity(scores.length), scores, keep);
    }

    /** OBS selection of {@code keep} of n neurons, in one round or {@link #ROUNDS}. */
    static int[] obs(double[] gramSum, long tokens, double[] colSquares, int n, int keep, boolean iterative) {
        int[] alive = identity(n);
        int rounds = iterative ? ROUNDS : 1;
        for (int r = 1; r <= rounds && alive.length > keep; r++) {
            // remove an equal share of the total each round: after round r, n − r/rounds·(n − keep) remain
            int target = n - (int) ((long) (n - keep) * r / rounds);
            double[] s = NeuronImportance.obs(gramSum, tokens, colSquares, n, alive);
            alive = survivors(alive, s, target);
        }
        return alive;
    }

    /** The {@code keep} entries of {@code among} with the highest scores, ascending. */
    private static int[] survivors(int[] among, double[] scores, int keep) {
        if (keep < 0 || keep > among.length) {
            throw new IllegalArgumentException("keep " + keep + " of " + among.length);
        }
        Integer[] order = new Integer[among.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // lowest score first, then lower index: the first among.length − keep are removed
        Arrays.sort(order, (x, y) -> {
            int c = Double.compare(scores[x], scores[y]);
            return c != 0 ? c : Integer.compare(among[x], among[y]);
        });
        int[] out = new int[keep];
        int drop = among.length - keep;
        for (int i = 0; i < keep; i++) {
            out[i] = among[order[drop + i]];
        }
        Arrays.sort(out);
        return out;
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}
