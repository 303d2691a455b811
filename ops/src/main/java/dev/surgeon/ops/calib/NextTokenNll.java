package dev.surgeon.ops.calib;

import dev.surgeon.ops.runner.Perplexity;
import dev.surgeon.ops.runner.TransformerRunner;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;

/**
 * The NLL that calibration-driven choices compare (COMP's block counts, head ablation): the mean
 * over calibration windows of T tokens of the NLL of tokens 2..T given the ones before, from the
 * final hidden states of every batch (as {@link Calibrator#embedAll} cut them).
 */
public final class NextTokenNll {
    private NextTokenNll() {
    }

    /** Mean NLL of {@code windows} from their final hidden states, one [b, T, hidden] array per batch. */
    public static double of(TransformerRunner runner, List<INDArray> hidden, int[][] windows) {
        double total = 0;
        long count = 0;
        int from = 0;
        for (INDArray h : hidden) {
            INDArray logits = runner.head(h);
            long t = logits.size(1);
            // positions 0..T−2 predict tokens 1..T−1: each window is then "T−1 + 1" tokens long
            INDArray head = logits.get(NDArrayIndex.all(), NDArrayIndex.interval(0, t - 1), NDArrayIndex.all()).dup('c');
            free(logits);
            total += Perplexity.nllSum(head, windows, from);
            free(head);
            count += h.size(0) * (t - 1);
            from += (int) h.size(0);
        }
        return total / count;
    }

    private static void free(INDArray a) {
        if (a != null && a.closeable()) {
            a.close();
        }
    }
}
