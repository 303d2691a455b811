package dev.surgeon.ops.prune.comp;

import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.ops.calib.Calibrator;
import dev.surgeon.ops.runner.TransformerRunner;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * One block run over every calibration batch, collecting the Gram matrix HᵀH of its down
 * projection's input (H = silu(gate)·up). Advancing replaces each batch's hidden states by the
 * block's output (and sums the input/output cosines for block importance); otherwise the outputs
 * are dropped and the inputs stay for a second run of the edited block.
 *
 * @param gramSum   HᵀH summed over the tokens, row-major I×I
 * @param cosineSum Σ over tokens of cos(input, output) (0 when not advancing)
 */
record BlockRun(double[] gramSum, long tokens, double cosineSum) {

    static BlockRun of(TransformerRunner runner, int block, List<INDArray> hidden, MlpTensors mlp, boolean advance) {
        GramTap tap = new GramTap(mlp.downLinear());
        double cos = 0;
        for (int k = 0; k < hidden.size(); k++) {
            INDArray in = hidden.get(k);
            INDArray out;
            try {
                out = runner.block(block, in, tap);
            } catch (UnsupportedOperationException e) {
                throw new InvalidInputException(e.getMessage());
            }
            if (advance) {
                cos += Calibrator.cosineSum(in, out);
                free(in);
                hidden.set(k, out);
            } else {
                free(out);
            }
        }
        return new BlockRun(tap.take(), tap.tokens(), cos);
    }

    /** Runs block {@code block} (as the runner now has it) over every batch, replacing the hidden states. */
    static void advance(TransformerRunner runner, int block, List<INDArray> hidden) {
        for (int k = 0; k < hidden.size(); k++) {
            INDArray out = runner.block(block, hidden.get(k));
            free(hidden.get(k));
            hidden.set(k, out);
        }
    }

    static void free(INDArray a) {
        if (a != null && a.closeable()) {
            a.close();
        }
    }
}
