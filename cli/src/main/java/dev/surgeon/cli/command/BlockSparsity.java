package dev.surgeon.cli.command;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.ops.inspect.TensorStats;
import dev.surgeon.ops.prune.PrunableTensor;
import dev.surgeon.ops.prune.Prunables;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code inspect --stats} says about sparsity, counted as {@code prune} reports it: zeros over
 * the weights prune selects by default (2-D attention and MLP weights inside blocks), per block and
 * in total, and zeros over all parameters.
 *
 * @param blocks   per block index: {prunable weights, zeros among them}
 * @param params   every parameter of the model
 * @param allZeros zeros among every decoded tensor
 */
record BlockSparsity(Map<Integer, long[]> blocks, long prunable, long zeros, long params, long allZeros) {
    static BlockSparsity of(Checkpoint c, Map<String, TensorStats> stats) {
        List<PrunableTensor> prunable = Prunables.select(c, new LayerMap(c.names(), c.config()), List.of(), List.of());
        Map<Integer, long[]> blocks = new TreeMap<>();
        long weights = 0;
        long zeros = 0;
        for (PrunableTensor t : prunable) {
            TensorStats st = stats.get(t.name());
            long z = st == null ? 0 : st.zeros();
            long[] b = blocks.computeIfAbsent(t.block(), k -> new long[2]);
            b[0] += t.numel();
            b[1] += z;
            weights += t.numel();
            zeros += z;
        }
        long params = c.tensors().values().stream().mapToLong(r -> r.info().numel()).sum();
        long all = stats.values().stream().mapToLong(TensorStats::zeros).sum();
        return new BlockSparsity(blocks, weights, zeros, params, all);
    }

    /** Zeros over the prunable weights of block {@code b} (0 when it has none). */
    double of(int block) {
        long[] b = blocks.get(block);
        return b == null || b[0] == 0 ? 0 : (double) b[1] / b[0];
    }

    double sparsity() {
        return prunable == 0 ? 0 : (double) zeros / prunable;
    }

    /** Zeros of the prunable weights over all parameters: prune's {@code sparsity_total}. */
    double sparsityTotal() {
        return params == 0 ? 0 : (double) zeros / params;
    }
}
