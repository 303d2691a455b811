package dev.surgeon.io.layers;

/**
 * Where one tensor sits in the model, as the layer map sees it.
 *
 * @param block        block index, or {@link #NO_BLOCK} for embeddings, final norm and heads;
 *                     for encoder-decoder models encoder blocks come first (0..E-1), then decoder
 *                     blocks (E..E+D-1)
 * @param role         what the module does
 * @param kind         weight, bias, LoRA factor or other
 * @param transposed   the weight is stored [in, out] (GPT-2 Conv1D) instead of PyTorch's [out, in],
 *                     so math must transpose it; for LoRA factors it describes the adapted weight,
 *                     i.e. the delta B·A must be transposed before it is added (PEFT's fan_in_fan_out)
 * @param part         sub-part named by the template, e.g. "self_attn" or "cross_attn"; "" if none
 * @param architecture name of the template that matched, or "generic"
 */
public record TensorRole(int block, Role role, Kind kind, boolean transposed, String part, String architecture) {

    public static final int NO_BLOCK = -1;

    public boolean inBlock() {
        return block >= 0;
    }

    public boolean isBias() {
        return kind == Kind.BIAS;
    }

    public boolean isLora() {
        return kind.isLora();
    }

    public boolean isCrossAttention() {
        return "cross_attn".equals(part);
    }
}
