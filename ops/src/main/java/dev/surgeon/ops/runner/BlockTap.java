package dev.surgeon.ops.runner;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Receives the input of each Linear layer of a block while the block runs (calibration): for
 * every Linear, in execution order, its weight name without {@code .weight} (e.g.
 * {@code model.layers.3.self_attn.q_proj}) and its input activations [B·T, in_features], F32.
 * Linears that share an input (LLaMA's q/k/v, gate/up) are reported once each with the same
 * array. The array belongs to the runner: read it during the call, do not modify or keep it.
 */
@FunctionalInterface
public interface BlockTap {
    void input(String linear, INDArray input);
}
