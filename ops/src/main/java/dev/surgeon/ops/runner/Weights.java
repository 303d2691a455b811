package dev.surgeon.ops.runner;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.safetensors.SafetensorsFile;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** Reads checkpoint tensors into F32 arrays, decoding any stored float dtype chunk by chunk. */
final class Weights {
    private static final int CHUNK = 4 << 20;

    private final Checkpoint model;
    private final Map<String, float[]> overrides = new HashMap<>();

    Weights(Checkpoint model) {
        this.model = model;
    }

    /** Values used instead of the checkpoint's for {@code name} (null: the checkpoint's again). */
    void override(String name, float[] stored) {
        TensorRef t = tensor(name);
        if (stored == null) {
            overrides.remove(name);
            return;
        }
        if (stored.length != t.info().numel()) {
            throw new IllegalArgumentException("override of '" + name + "' has " + stored.length
                    + " values; the tensor has " + t.info().numel());
        }
        overrides.put(name, stored);
    }

    boolean has(String name) {
        return model.tensor(name) != null;
    }

    /** Bytes that all of {@code names} (those present) take in F32. */
    long f32Bytes(Iterable<String> names) {
        long n = 0;
        for (String s : names) {
            TensorRef t = model.tensor(s);
            if (t != null) {
                n += t.info().numel() * 4L;
            }
        }
        return n;
    }

    /** One tensor of exactly {@code shape}. */
    INDArray load(String name, long... shape) {
        return stack(shape.length == 1 ? 0 : shape[1], new String[] {name}, new long[][] {shape});
    }

    /**
     * Tensors stacked along their first dimension into one [sum of rows, cols] array (1-D tensors:
     * concatenated into one vector when {@code cols} is 0). Each must have the shape given.
     */
    INDArray stack(long cols, String[] names, long[][] shapes) {
        long rows = 0;
        for (int i = 0; i < names.length; i++) {
            TensorRef t = tensor(names[i]);
            if (!Arrays.equals(t.info().shape(), shapes[i])) {
                throw new InvalidInputException(model.reference() + ": tensor '" + names[i] + "' has shape "
                        + Arrays.toString(t.info().shape()) + ", config.json implies " + Arrays.toString(shapes[i]));
            }
            rows += shapes[i][0];
        }
        INDArray out = cols == 0 ? Nd4j.createUninitialized(DataType.FLOAT, rows)
                : Nd4j.createUninitialized(DataType.FLOAT, rows, cols);
        FloatBuffer dst = out.data().asNioFloat();
        for (String name : names) {
            float[] o = overrides.get(name);
            if (o != null) {
                dst.put(o);
            } else {
                fill(tensor(name), dst);
            }
        }
        if (dst.hasRemaining()) {
            throw new IllegalStateException("short fill");
        }
        return out;
    }

    private TensorRef tensor(String name) {
        TensorRef t = model.tensor(name);
        if (t == null) {
            throw new InvalidInputException(model.reference() + ": tensor '" + name + "' is missing (expected in a "
                    + "LLaMA-family checkpoint)");
        }
        return t;
    }

    private static void fill(TensorRef t, FloatBuffer dst) {
        SafetensorsFile f = t.file();
        if (!t.info().dtype().isFloat() || !t.info().dtype().decodable()) {
            throw new InvalidInputException("tensor '" + t.name() + "': dtype " + t.info().dtype()
                    + " cannot be used in the forward pass");
        }
        int width = t.info().dtype().byteWidth();
        float[] scratch = new float[(int) Math.min(CHUNK / width, t.info().numel())];
        try {
            f.forEachChunk(t.info(), CHUNK, (chunk, off) -> {
                int count = chunk.remaining() / width;
                ElementCodec.decode(t.info().dtype(), chunk, scratch, 0, count);
                dst.put(scratch, 0, count);
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
