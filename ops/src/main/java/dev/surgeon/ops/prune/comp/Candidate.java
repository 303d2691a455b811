package dev.surgeon.ops.prune.comp;

import java.util.List;

/**
 * One whole-block count COMP tried: which blocks it removes, how many neurons the kept blocks then
 * lose, the calibration NLL of the result (NaN when not run: statistics only, or infeasible).
 *
 * @param note why the candidate was not run, or null
 */
public record Candidate(List<Integer> removedBlocks, long neuronsRemoved, long paramsAfter, double calibrationNll,
                        String note) {
    public Candidate {
        removedBlocks = List.copyOf(removedBlocks);
    }

    public boolean ran() {
        return note == null && !Double.isNaN(calibrationNll);
    }
}
