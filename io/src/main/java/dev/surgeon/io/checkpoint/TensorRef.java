package dev.surgeon.io.checkpoint;

import dev.surgeon.io.safetensors.SafetensorsFile;
import dev.surgeon.io.safetensors.TensorInfo;

/** A tensor of a checkpoint and the file that holds it. */
public record TensorRef(SafetensorsFile file, TensorInfo info) {
    public String name() {
        return info.name();
    }
}
