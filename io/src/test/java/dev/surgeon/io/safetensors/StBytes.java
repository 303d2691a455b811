package dev.surgeon.io.safetensors;

import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.SafetensorsWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Test helper: builds safetensors byte strings by hand (8-byte LE length + header + data) and small
 * files through the writer. Shared by the safetensors, write and checkpoint tests.
 */
public final class StBytes {
    private StBytes() {
    }

    /** 8-byte little-endian prefix holding {@code n} (taken as unsigned). */
    public static byte[] prefix(long n) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array();
    }

    /** prefix(len(header)) + header + {@code dataLen} bytes 0, 1, 2, ... */
    public static byte[] file(byte[] header, int dataLen) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(prefix(header.length));
        out.writeBytes(header);
        for (int i = 0; i < dataLen; i++) {
            out.write(i & 0xff);
        }
        return out.toByteArray();
    }

    /** As {@link #file(byte[], int)} with a UTF-8 header. */
    public static byte[] file(String header, int dataLen) {
        return file(header.getBytes(StandardCharsets.UTF_8), dataLen);
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    public static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, bytes);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A planned tensor whose content is the given bytes. */
    public static PlannedTensor planned(String name, DType dtype, long[] shape, byte[] data) {
        return new PlannedTensor(name, dtype, shape, sink -> sink.write(ByteBuffer.wrap(data)));
    }

    /** A planned tensor filled with a deterministic byte pattern seeded by its name. */
    public static PlannedTensor patterned(String name, DType dtype, long... shape) {
        long bytes = Shapes.byteSize(dtype, shape);
        byte[] data = new byte[(int) bytes];
        int seed = name.hashCode();
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (seed * 31 + i * 7);
        }
        return planned(name, dtype, shape, data);
    }

    /** Writes a file with the writer; returns its path. */
    public static Path writeFile(Path file, Map<String, String> metadata, List<PlannedTensor> tensors) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            SafetensorsWriter.write(file, metadata, tensors);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every byte of a tensor, read through the file. */
    public static byte[] tensorBytes(SafetensorsFile f, TensorInfo t) {
        ByteBuffer b = f.readAll(t);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** The data section of a file on disk (everything after 8 + N). */
    public static byte[] dataSection(Path file) {
        try {
            byte[] all = Files.readAllBytes(file);
            long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            return Arrays.copyOfRange(all, (int) (8 + n), all.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The header bytes of a file on disk (the N bytes after the prefix). */
    public static byte[] headerSection(Path file) {
        try {
            byte[] all = Files.readAllBytes(file);
            long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            return Arrays.copyOfRange(all, 8, (int) (8 + n));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** name dtype shape begin end, one string per tensor, in data order. */
    public static List<String> layout(SafetensorsFile f) {
        List<String> out = new ArrayList<>();
        for (TensorInfo t : f.tensors()) {
            out.add(t.name() + " " + t.dtype() + Arrays.toString(t.shape()) + " [" + t.begin() + "," + t.end() + ")");
        }
        return out;
    }
}
