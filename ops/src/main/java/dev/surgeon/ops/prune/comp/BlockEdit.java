package dev.surgeon.ops.prune.comp;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.ops.exec.ElementReader;

/**
 * The edit of one kept block: its kept neurons (chosen on the Gram matrix of its MLP activations)
 * and mask tuning's outcome. {@link #weights} gives the block's gate, up and down with the removed
 * neurons zeroed and the scales applied, for the forward pass to run the edited block before the
 * model is written.
 */
record BlockEdit(MlpTensors mlp, int[] kept, MaskTuning.Outcome tuning) {

    /** Chooses and tunes the {@code keep} neurons of {@code mlp}'s block; {@code down} is its down_proj [d, I] (not modified). */
    static BlockEdit of(Checkpoint model, MlpTensors mlp, float[] down, double[] gramSum, long tokens, int keep,
                        Comp.Request request) {
        int n = mlp.width();
        int[] kept;
        if (request.score() == Comp.Score.MAGNITUDE) {
            float[] gate = ElementReader.readAll(model.tensor(mlp.gate()));
            float[] up = ElementReader.readAll(model.tensor(mlp.up()));
            kept = NeuronSelection.top(NeuronImportance.magnitude(gate, up, down, mlp.hidden(), n), keep);
        } else {
            double[] colSq = DenseMatrix.columnSquares(down, mlp.hidden(), n);
            kept = NeuronSelection.obs(gramSum, tokens, colSq, n, keep, request.iterative());
        }
        double[] m = MaskTuning.outputCovariance(gramSum, DenseMatrix.columnInnerProducts(down, mlp.hidden(), n));
        MaskTuning.Outcome t = request.tune() && keep < n
                ? MaskTuning.solve(m, n, kept, request.maxScaleVar()) : MaskTuning.untuned(m, n, kept);
        return new BlockEdit(mlp, kept, t);
    }

    BlockNeurons neurons() {
        return new BlockNeurons(kept, tuning.scales());
    }

    /**
     * gate, up [I, d] with removed rows zeroed and down [d, I] with removed columns zeroed, kept ones
     * scaled; {@code down} (the block's down_proj) is scaled in place and returned as the third.
     */
    float[][] weights(Checkpoint model, float[] down) {
        int n = mlp.width();
        int d = mlp.hidden();
        boolean[] keep = new boolean[n];
        float[] scale = new float[n];
        for (int i = 0; i < kept.length; i++) {
            keep[kept[i]] = true;
            scale[kept[i]] = tuning.scales() == null ? 1f : tuning.scales()[i];
        }
        float[] gate = ElementReader.readAll(model.tensor(mlp.gate()));
        float[] up = ElementReader.readAll(model.tensor(mlp.up()));
        for (int j = 0; j < n; j++) {
            if (!keep[j]) {
                java.util.Arrays.fill(gate, j * d, (j + 1) * d, 0f);
                java.util.Arrays.fill(up, j * d, (j + 1) * d, 0f);
            }
        }
        for (int r = 0; r < d; r++) {
            int base = r * n;
            for (int j = 0; j < n; j++) {
                down[base + j] *= scale[j];
            }
        }
        return new float[][] {gate, up, down};
    }
}
