package dev.surgeon.io.write;

import dev.surgeon.io.checkpoint.TensorRef;

import java.io.IOException;
import java.util.List;

/** Produces one output tensor's bytes when the executor reaches it; the plan holds only this recipe. */
@FunctionalInterface
public interface TensorContent {
    /** Writes exactly the tensor's byte size into {@code sink}. */
    void writeTo(TensorSink sink) throws IOException;

    /**
     * The input tensors whose bytes {@link #writeTo} reads, so the writer can have them read from
     * disk ahead of time while earlier tensors compute; none when it reads no input file.
     */
    default List<TensorRef> inputs() {
        return List.of();
    }
}
