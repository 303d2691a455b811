package dev.surgeon.ops.prune.comp;

/**
 * Scores of the MLP neurons of one block (METHODS.md, COMP): the optimal-brain-surgeon saliency
 * ‖w_j‖² / [G_δ⁻¹]_jj, with w_j column j of down_proj, G = HᵀH/n of the intermediate activations H
 * and G_δ = G + δ·mean(diag G)·I, is the output error left by removing neuron j when the others
 * re-fit; a neuron that is nearly a combination of the others scores low. The magnitude score is
 * the data-free baseline: the squared norm of the neuron's weights (gate row, up row, down column).
 */
final class NeuronImportance {
    /** δ, the damping of G relative to its mean diagonal. */
    static final double DAMPING = 0.01;

    private NeuronImportance() {
    }

    /**
     * OBS saliency of the neurons {@code among} (ascending indices into the block's n neurons), as
     * if the others were absent already: G restricted to {@code among}, damped by δ times the mean
     * diagonal of the whole G.
     *
     * @param gramSum    HᵀH summed over {@code tokens} tokens, n×n row-major
     * @param colSquares ‖w_j‖² of down_proj's columns, length n
     * @return one saliency per entry of {@code among}, in E‖Δy‖² per token
     */
    static double[] obs(double[] gramSum, long tokens, double[] colSquares, int n, int[] among) {
        return obs(gramSum, tokens, colSquares, n, among, DAMPING);
    }

    /** As above with damping {@code delta}. */
    static double[] obs(double[] gramSum, long tokens, double[] colSquares, int n, int[] among, double delta) {
        int k = among.length;
        double[] out = new double[k];
        double mean = DenseMatrix.meanDiagonal(gramSum, n);
        if (!(mean > 0) || tokens <= 0) {
            return out; // the block's MLP never fired on the calibration tokens: nothing to lose
        }
        double[] g = DenseMatrix.principal(gramSum, n, among);
        double add = delta * mean;
        for (int i = 0; i < k; i++) {
            g[i * (k + 1)] += add;
        }
        // scale after damping: G_δ⁻¹ of HᵀH/n is n times the inverse of the damped sum
        double[] inv = DenseMatrix.inverse(g, k);
        for (int i = 0; i < k; i++) {
            double d = inv[i * (k + 1)] * tokens;
            out[i] = d > 0 ? colSquares[among[i]] / d : 0;
        }
        return out;
    }

    /** ‖gate_j‖² + ‖up_j‖² + ‖down_{:,j}‖² for gate, up [n, d] and down [d, n], row-major. */
    static double[] magnitude(float[] gate, float[] up, float[] down, int d, int n) {
        double[] out = DenseMatrix.columnSquares(down, d, n);
        for (int j = 0; j < n; j++) {
            double s = 0;
            int base = j * d;
            for (int c = 0; c < d; c++) {
                double a = gate[base + c];
                double b = up[base + c];
                s += a * a + b * b;
            }
            out[j] += s;
        }
        return out;
    }
}
