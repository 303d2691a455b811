package dev.surgeon.io.layers;

import java.util.Arrays;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tensor name split into the module path that templates match and the parameter kind, so one
 * rule such as {@code self_attn\.q_proj} covers the weight, the bias and any LoRA factors of it.
 */
record NameParts(String module, Kind kind) {

    /** PEFT {@code lora_A}, {@code lora_embedding_B}; MLX {@code lora_a}. Anything after it is ignored. */
    private static final Pattern LORA = Pattern.compile("lora_(?:embedding_)?([AaBb])");

    /** Per-module tensors that are neither weight nor bias but still belong to the module (quantization). */
    private static final Set<String> OTHER_LEAVES =
            Set.of("scales", "biases", "qweight", "qzeros", "g_idx", "weight_scale", "weight_scale_inv", "input_scale");

    static NameParts of(String name) {
        String[] parts = name.split("\\.", -1);
        for (int i = 0; i < parts.length; i++) {
            Matcher m = LORA.matcher(parts[i]);
            if (m.matches()) {
                String module = String.join(".", Arrays.copyOf(parts, i));
                return new NameParts(module, m.group(1).equalsIgnoreCase("a") ? Kind.LORA_A : Kind.LORA_B);
            }
        }
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
            return new NameParts(name, Kind.OTHER);
        }
        String leaf = name.substring(dot + 1);
        String module = name.substring(0, dot);
        if (leaf.equals("weight")) {
            return new NameParts(module, Kind.WEIGHT);
        }
        if (leaf.equals("bias")) {
            return new NameParts(module, Kind.BIAS);
        }
        // An unknown leaf may itself be the parameter (ViT cls_token), so rules see the whole name.
        return OTHER_LEAVES.contains(leaf) ? new NameParts(module, Kind.OTHER) : new NameParts(name, Kind.OTHER);
    }
}
