package dev.surgeon.ops.prune.comp;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.layers.LayerMap;

import java.util.ArrayList;
import java.util.List;

/**
 * COMP's parameter arithmetic: {@code --ratio R} removes R of all the model's parameters (every
 * tensor, embeddings included); {@code --layer-share S} lets whole blocks take at most S of that,
 * lowest importance first, rounded down to whole blocks; MLP neurons take the rest, at
 * {@link MlpTensors#paramsPerNeuron()} each.
 */
final class ParamBudget {
    private final long total;
    private final long[] blockParams;
    private final List<MlpTensors> mlps;

    private ParamBudget(long total, long[] blockParams, List<MlpTensors> mlps) {
        this.total = total;
        this.blockParams = blockParams;
        this.mlps = mlps;
    }

    static ParamBudget of(Checkpoint model, LayerMap layers, List<MlpTensors> mlps) {
        long total = 0;
        for (TensorRef t : model.tensors().values()) {
            total += t.info().numel();
        }
        long[] blocks = new long[mlps.size()];
        layers.namesByBlock().forEach((b, names) -> {
            if (b < blocks.length) {
                for (String n : names) {
                    blocks[b] += model.tensor(n).info().numel();
                }
            }
        });
        return new ParamBudget(total, blocks, mlps);
    }

    long total() {
        return total;
    }

    long blockParams(int b) {
        return blockParams[b];
    }

    /** Parameters to remove: ⌊R · total⌋. */
    long target(double ratio) {
        return (long) Math.floor(ratio * total);
    }

    /**
     * The blocks whole-block removal takes: the longest prefix of {@code byImportance} whose
     * parameters stay within {@code share} of the target, and never every block.
     */
    List<Integer> blocksFor(double ratio, double share, int[] byImportance) {
        long allowed = (long) Math.floor(share * target(ratio));
        List<Integer> out = new ArrayList<>();
        long used = 0;
        for (int b : byImportance) {
            if (out.size() + 1 >= blockParams.length || used + blockParams[b] > allowed) {
                break;
            }
            used += blockParams[b];
            out.add(b);
        }
        return out;
    }

    /** Neurons left for the kept blocks to lose: the rest of the target over the mean cost per neuron. */
    long neuronsFor(double ratio, List<Integer> removed) {
        long left = target(ratio);
        long cost = 0;
        int kept = 0;
        for (int b = 0; b < blockParams.length; b++) {
            if (removed.contains(b)) {
                left -= blockParams[b];
            } else {
                cost += mlps.get(b).paramsPerNeuron();
                kept++;
            }
        }
        return left <= 0 || kept == 0 ? 0 : Math.round((double) left * kept / cost);
    }

    /** Parameters after removing {@code removed} blocks and {@code neurons[i]} neurons of each kept block i. */
    long after(List<Integer> removed, int[] keptBlocks, int[] neurons) {
        long p = total;
        for (int b : removed) {
            p -= blockParams[b];
        }
        for (int i = 0; i < keptBlocks.length; i++) {
            p -= neurons[i] * mlps.get(keptBlocks[i]).paramsPerNeuron();
        }
        return p;
    }
}
