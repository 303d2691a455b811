package dev.surgeon.io.write;

import java.io.IOException;

/** Produces one output tensor's bytes when the executor reaches it; the plan holds only this recipe. */
@FunctionalInterface
public interface TensorContent {
    /** Writes exactly the tensor's byte size into {@code sink}. */
    void writeTo(TensorSink sink) throws IOException;
}
