package dev.surgeon.ops.diff;

import dev.surgeon.io.safetensors.DType;

import java.util.Arrays;

/**
 * A tensor in both models whose header differs. A shape mismatch cannot be compared; a dtype-only
 * mismatch is still compared on decoded values (and appears among the deltas too).
 */
public record Mismatch(String name, Kind kind, DType dtypeA, long[] shapeA, DType dtypeB, long[] shapeB) {
    public enum Kind { SHAPE, DTYPE }

    public Mismatch {
        shapeA = shapeA.clone();
        shapeB = shapeB.clone();
    }

    @Override
    public long[] shapeA() {
        return shapeA.clone();
    }

    @Override
    public long[] shapeB() {
        return shapeB.clone();
    }

    public String describe() {
        return kind == Kind.SHAPE
                ? "shape " + Arrays.toString(shapeA) + " vs " + Arrays.toString(shapeB)
                : "dtype " + dtypeA + " vs " + dtypeB;
    }
}
