package dev.surgeon.io.layers;

/**
 * What kind of parameter a tensor is within its module, read from the name's last component(s):
 * {@code .weight}, {@code .bias}, or the LoRA factors of an adapter. PEFT names them
 * {@code lora_A.weight}/{@code lora_B.weight} (A is [r, in], B is [out, r]); MLX names them
 * {@code lora_a}/{@code lora_b} and stores them the other way round (a is [in, r], b is [r, out]).
 */
public enum Kind {
    WEIGHT,
    BIAS,
    LORA_A,
    LORA_B,
    /** Anything else: buffers ({@code inv_freq}), quantization scales, class tokens. */
    OTHER;

    public boolean isLora() {
        return this == LORA_A || this == LORA_B;
    }
}
