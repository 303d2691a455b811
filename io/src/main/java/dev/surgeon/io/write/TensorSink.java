package dev.surgeon.io.write;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Where a tensor's bytes go, in order. Little-endian element bytes, as the format stores them. */
@FunctionalInterface
public interface TensorSink {
    /** Writes all remaining bytes of {@code bytes}, advancing its position to its limit. */
    void write(ByteBuffer bytes) throws IOException;
}
