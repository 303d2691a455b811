package dev.surgeon.io.layers;

import java.util.Locale;

/**
 * What a tensor does inside a transformer. Templates name roles by {@link #jsonName()}; methods
 * select tensors by role (e.g. prune attention and MLP matrices, never embeddings or heads).
 */
public enum Role {
    EMBED,
    ATTN_Q,
    ATTN_K,
    ATTN_V,
    ATTN_O,
    /** Fused query/key/value projection (GPT-2 {@code c_attn}, Phi-3 {@code qkv_proj}). */
    ATTN_QKV,
    MLP_GATE,
    MLP_UP,
    /** Fused gate and up projection (Phi-3 {@code gate_up_proj}). */
    MLP_GATE_UP,
    MLP_DOWN,
    NORM,
    /** Output-side task layers: lm_head, pooler, classifier. */
    HEAD,
    OTHER;

    /** The lower-case name used in the JSON templates and reports, e.g. {@code attn_q}. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isAttention() {
        return this == ATTN_Q || this == ATTN_K || this == ATTN_V || this == ATTN_O || this == ATTN_QKV;
    }

    public boolean isMlp() {
        return this == MLP_GATE || this == MLP_UP || this == MLP_GATE_UP || this == MLP_DOWN;
    }

    /** Parses a template's role name; unknown names are a bug in the template, not user input. */
    public static Role fromJson(String name) {
        for (Role r : values()) {
            if (r.jsonName().equals(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role '" + name + "'");
    }
}
