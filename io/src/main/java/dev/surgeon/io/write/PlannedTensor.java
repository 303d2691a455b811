package dev.surgeon.io.write;

import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.safetensors.Shapes;

/** One output tensor of a plan: what the header says about it, and how to produce its bytes. */
public record PlannedTensor(String name, DType dtype, long[] shape, TensorContent content) {
    public PlannedTensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long numel() {
        return Shapes.numel(shape);
    }

    public long byteSize() {
        return Shapes.byteSize(dtype, shape);
    }
}
