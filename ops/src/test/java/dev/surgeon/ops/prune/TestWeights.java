package dev.surgeon.ops.prune;

import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.safetensors.SafetensorsFile;
import dev.surgeon.io.safetensors.TensorInfo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/** Reads an F32 tensor straight from a safetensors file's bytes, independently of the code under test. */
final class TestWeights {
    private TestWeights() {
    }

    static float[] f32(Path file, String name) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            TensorInfo t = f.tensor(name);
            if (t.dtype() != DType.F32) {
                throw new IllegalArgumentException(name + " is " + t.dtype());
            }
            ByteBuffer b = f.readAll(t).order(ByteOrder.LITTLE_ENDIAN);
            float[] v = new float[(int) t.numel()];
            b.asFloatBuffer().get(v);
            return v;
        }
    }
}
