package dev.surgeon.ops.mask;

/**
 * One block's attention as the head masks see it: query heads H, KV heads KV (H/KV query heads per
 * KV group), head width, and the tensor names. LLaMA family: separate q/k/v/o_proj ([out, in]),
 * optional q/k/v biases. GPT-2: fused Conv1D {@code c_attn} ([d, 3d], [in, out], q/k/v thirds of
 * the columns) with its bias [3d], and {@code c_proj} ([d, d], [in, out]); KV = H.
 */
public record BlockAttention(int heads, int kvHeads, int headDim, String q, String k, String v, String o,
                             String qBias, String kBias, String vBias, String qkv, String qkvBias) {
    /** True for GPT-2's fused, transposed layout. */
    public boolean fused() {
        return qkv != null;
    }

    /** Query heads per KV group. */
    public int groupSize() {
        return heads / kvHeads;
    }
}
