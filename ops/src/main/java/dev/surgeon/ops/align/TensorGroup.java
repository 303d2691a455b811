package dev.surgeon.ops.align;

import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.layers.TensorRole;
import dev.surgeon.io.safetensors.DType;

import java.util.List;

/**
 * One tensor name across aligned models: the base's tensor first, then each other model's, with
 * the layer-map role. {@code numel} is the number of leading elements every input contributes
 * (all of them, or the base's rows when {@code --vocab base} trims a larger embedding).
 */
public record TensorGroup(String name, List<TensorRef> inputs, TensorRole role, long numel) {
    public TensorGroup {
        inputs = List.copyOf(inputs);
    }

    public TensorRef base() {
        return inputs.get(0);
    }

    /** The base's shape, which is the output's shape. */
    public long[] shape() {
        return base().info().shape();
    }

    public DType dtype() {
        return base().info().dtype();
    }

    /** True when every input can be decoded to numbers (float, int, bool). */
    public boolean numeric() {
        return inputs.stream().allMatch(r -> r.info().dtype().decodable());
    }

    public boolean isFloat() {
        return dtype().isFloat();
    }

    public int block() {
        return role.block();
    }
}
