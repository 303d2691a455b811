package dev.surgeon.io.write;

import dev.surgeon.io.error.IoFailureException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * Writes one safetensors file: the header first (all shapes are known from the plan), then each
 * tensor's bytes streamed from its {@link TensorContent}, then fsync. Writes go through a channel,
 * never a mapping, so a full disk is an IOException and not a SIGBUS.
 */
public final class SafetensorsWriter {
    private static final int BUFFER = 8 << 20;

    private SafetensorsWriter() {
    }

    /** Writes {@code tensors} in the order given; returns the file's length. */
    public static long write(Path file, Map<String, String> metadata, List<PlannedTensor> tensors) throws IOException {
        byte[] header = HeaderWriter.header(metadata, tensors);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            PipelinedSink sink = new PipelinedSink(ch, BUFFER);
            try {
                writeAll(sink, header, tensors);
            } catch (IOException | RuntimeException | Error e) {
                sink.abort();
                throw e;
            }
            ch.force(true);
            return sink.count();
        } catch (IOException e) {
            throw new IoFailureException(file + ": write failed (" + describe(e) + ")", e);
        }
    }

    private static void writeAll(PipelinedSink sink, byte[] header, List<PlannedTensor> tensors) throws IOException {
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        prefix.flip();
        sink.write(prefix);
        sink.write(ByteBuffer.wrap(header));
        for (PlannedTensor t : tensors) {
            long before = sink.count();
            t.content().writeTo(sink);
            long wrote = sink.count() - before;
            if (wrote != t.byteSize()) {
                throw new IllegalStateException("tensor '" + t.name() + "' produced " + wrote
                        + " bytes, its header says " + t.byteSize());
            }
        }
        sink.finish();
    }

    static String describe(IOException e) {
        String m = e.getMessage();
        if (m != null && m.contains("No space left")) {
            return "disk full";
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
