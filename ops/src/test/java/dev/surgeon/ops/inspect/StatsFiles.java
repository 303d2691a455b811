package dev.surgeon.ops.inspect;

import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.SafetensorsWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Writes small safetensors files with chosen values, for the ops tests. */
public final class StatsFiles {
    private StatsFiles() {
    }

    /** A tensor of any decodable dtype holding {@code values} (encoded with round-to-nearest-even). */
    public static PlannedTensor tensor(String name, DType dtype, long[] shape, double... values) {
        return new PlannedTensor(name, dtype, shape, sink -> {
            ByteBuffer b = ByteBuffer.allocate(values.length * dtype.byteWidth()).order(ByteOrder.LITTLE_ENDIAN);
            ElementCodec.encode(dtype, values, 0, values.length, b);
            b.flip();
            sink.write(b);
        });
    }

    public static Path write(Path file, PlannedTensor... tensors) throws IOException {
        SafetensorsWriter.write(file, Map.of("format", "pt"), List.of(tensors));
        return file;
    }
}
