package dev.surgeon.ops.inspect;

import dev.surgeon.io.layers.Kind;
import dev.surgeon.io.layers.Role;
import dev.surgeon.io.safetensors.DType;

import java.nio.file.Path;

/**
 * One tensor as inspect lists it: header facts plus where the layer map puts it.
 *
 * @param block block index, or -1 outside blocks (embeddings, final norm, heads)
 */
public record TensorEntry(String name, DType dtype, long[] shape, long params, long bytes, int block,
                          Role role, Kind kind, Path file) {
    public TensorEntry {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public boolean inBlock() {
        return block >= 0;
    }
}
