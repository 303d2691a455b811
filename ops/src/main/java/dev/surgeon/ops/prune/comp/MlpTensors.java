package dev.surgeon.ops.prune.comp;

/**
 * The gated MLP of one block (LLaMA family), as {@link MlpBlocks} found it: gate and up [I, d],
 * down [d, I], and the optional gate/up biases (mlp_bias; null when absent).
 */
record MlpTensors(int block, String gate, String up, String down, String gateBias, String upBias, int width, int hidden) {

    /** The down projection's Linear name (the weight name without {@code .weight}), as runner taps call it. */
    String downLinear() {
        return down.endsWith(".weight") ? down.substring(0, down.length() - ".weight".length()) : down;
    }

    /** Parameters one neuron holds: a row of gate and of up, a column of down, and its gate/up bias entries. */
    long paramsPerNeuron() {
        return 3L * hidden + (gateBias != null ? 1 : 0) + (upBias != null ? 1 : 0);
    }
}
