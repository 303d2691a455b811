package dev.surgeon.io.safetensors;

import java.util.Arrays;

/** Element counts and byte sizes of shapes, with overflow checks. */
public final class Shapes {
    private Shapes() {
    }

    /** Product of the dimensions; 1 for a scalar. Throws ArithmeticException on overflow. */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * Bytes that {@code numel} elements of {@code dtype} occupy. Throws ArithmeticException on
     * overflow and IllegalArgumentException when a sub-byte tensor is not a whole number of bytes.
     */
    public static long byteSize(DType dtype, long numel) {
        long bits = Math.multiplyExact(numel, (long) dtype.bits());
        if (bits % 8 != 0) {
            throw new IllegalArgumentException(numel + " elements of " + dtype + " are " + bits
                    + " bits, not a whole number of bytes");
        }
        return bits / 8;
    }

    public static long byteSize(DType dtype, long[] shape) {
        return byteSize(dtype, numel(shape));
    }

    public static String format(long[] shape) {
        return Arrays.toString(shape);
    }
}
