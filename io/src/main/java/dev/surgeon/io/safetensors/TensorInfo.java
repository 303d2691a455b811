package dev.surgeon.io.safetensors;

import java.util.Arrays;

/**
 * One tensor entry of a header: name, dtype, shape and its byte range relative to the start of the
 * data section. Immutable; {@link #shape()} returns a copy.
 */
public final class TensorInfo {
    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final long begin;
    private final long end;

    public TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.begin = begin;
        this.end = end;
    }

    public String name() {
        return name;
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    /** Offset of the first byte, relative to the start of the data section. */
    public long begin() {
        return begin;
    }

    /** Offset one past the last byte, relative to the start of the data section. */
    public long end() {
        return end;
    }

    public long byteSize() {
        return end - begin;
    }

    /** Number of elements (1 for a scalar, 0 when any dimension is 0). Validated not to overflow. */
    public long numel() {
        return Shapes.numel(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
