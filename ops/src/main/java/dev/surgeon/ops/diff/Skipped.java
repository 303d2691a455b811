package dev.surgeon.ops.diff;

/**
 * A tensor in both models with equal shapes that could not be compared by value (an opaque dtype
 * such as F4 or C64); {@code identicalBytes} is null unless both dtypes are the same, when the raw
 * bytes were compared instead.
 */
public record Skipped(String name, String reason, Boolean identicalBytes) {
}
