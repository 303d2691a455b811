package dev.surgeon.ops.prune;

import java.util.List;
import java.util.Locale;

/**
 * Magnitude pruning (METHODS.md "Wanda, magnitude, N:M"): score |w|, no data. The comparison group
 * decides where the exact count ⌊n·S⌋ applies: each output row, each matrix (the default), or the
 * whole model. With N:M every aligned group of M input columns of every row prunes its N lowest.
 */
public final class Magnitude {
    private Magnitude() {
    }

    /** Where ⌊n·S⌋ is counted. */
    public enum Group {
        ROW, MATRIX, GLOBAL;

        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The pruner for {@code group} at sparsity {@code ratio}, or N:M when {@code nmM} &gt; 0. GLOBAL
     * reads every target (two selection passes and a counting pass) before returning.
     */
    public static TensorPruner pruner(Group group, double ratio, int nmN, int nmM, List<PrunableTensor> targets,
                                      int threads) {
        if (nmM > 0) {
            return TensorPruner.magnitude(MaskRule.nm(nmN, nmM));
        }
        return switch (group) {
            case ROW -> TensorPruner.magnitude(MaskRule.perRow(ratio));
            case MATRIX -> TensorPruner.magnitudeMatrix(ratio);
            case GLOBAL -> TensorPruner.thresholds(GlobalThreshold.compute(targets, ratio, threads));
        };
    }
}
