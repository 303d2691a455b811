package dev.surgeon.ops.scale;

import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.ops.align.AlignedModels;
import dev.surgeon.ops.align.ElementwisePlan;
import dev.surgeon.ops.align.TensorGroup;
import dev.surgeon.ops.content.Elementwise;

import java.util.List;

/**
 * LiNeS, single task (METHODS.md, "LiNeS"): the task vector τ = θ_ft − θ_0 is scaled per block by
 * λ(ℓ) = α + β·ℓ/(L−1), ℓ = 0…L−1 from the layer map; tensors outside blocks (embeddings, final
 * norm, head) get α; with L = 1 the one block gets α + β. Output θ_0 + λ·τ. β defaults to 1 − α,
 * so the last block keeps the whole update.
 */
public final class Lines {
    private final double alpha;
    private final double beta;
    private final int blockCount;

    private Lines(double alpha, double beta, int blockCount) {
        this.alpha = alpha;
        this.beta = beta;
        this.blockCount = blockCount;
    }

    /** {@code beta} null means 1 − α; {@code blockCount} is L, the layer map's block count. */
    public static Lines of(double alpha, Double beta, int blockCount) {
        if (blockCount < 0) {
            throw new IllegalArgumentException("block count " + blockCount);
        }
        return new Lines(alpha, beta == null ? 1 - alpha : beta, blockCount);
    }

    public double alpha() {
        return alpha;
    }

    public double beta() {
        return beta;
    }

    /** L. */
    public int blockCount() {
        return blockCount;
    }

    /** λ of block {@code block}; a negative index (outside blocks) gets α. */
    public double lambda(int block) {
        if (block < 0) {
            return alpha;
        }
        if (block >= blockCount) {
            throw new IllegalArgumentException("block " + block + " of " + blockCount);
        }
        if (blockCount == 1) {
            return alpha + beta;
        }
        return alpha + beta * block / (blockCount - 1);
    }

    /** λ of a tensor: its block's, or α outside blocks. */
    public double lambda(TensorGroup g) {
        return lambda(g.role().inBlock() ? g.block() : -1);
    }

    /**
     * θ_0 + λ·(θ_ft − θ_0) with in[0] = θ_0 and in[1] = θ_ft, in F32 (two roundings: the difference
     * is exact when the two values are within a factor of 2, as a fine-tune's usually are). λ = 0 gives
     * θ_0 and λ = 1 gives θ_ft exactly. F32 rather than F64 because the JIT vectorises this loop
     * only in float: the double form is 20 times slower and would dominate the run.
     */
    public static Elementwise.Kernel kernel(double lambda) {
        if (lambda == 0) {
            return (in, out, n, first) -> System.arraycopy(in[0], 0, out, 0, n);
        }
        if (lambda == 1) {
            return (in, out, n, first) -> System.arraycopy(in[1], 0, out, 0, n);
        }
        float l = (float) lambda;
        return (in, out, n, first) -> {
            float[] base = in[0];
            float[] ft = in[1];
            for (int i = 0; i < n; i++) {
                float b = base[i];
                out[i] = b + l * (ft[i] - b);
            }
        };
    }

    /**
     * The output plan: every floating-point tensor scaled, the rest copied from the base; each
     * tensor's chunks are computed on {@code threads} threads.
     */
    public List<PlannedTensor> plan(AlignedModels models, DType outDtype, int threads) {
        return ElementwisePlan.build(models, outDtype, threads, g -> kernel(lambda(g)));
    }
}
