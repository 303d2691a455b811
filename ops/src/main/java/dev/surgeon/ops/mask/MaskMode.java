package dev.surgeon.ops.mask;

/** How {@code mask apply} materialises a mask: zero the masked parameters (shapes kept) or remove them. */
public enum MaskMode {
    ZERO,
    REMOVE
}
