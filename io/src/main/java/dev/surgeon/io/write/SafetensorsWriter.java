package dev.surgeon.io.write;

import dev.surgeon.io.error.IoFailureException;
import dev.surgeon.io.safetensors.HeaderParser;
import dev.surgeon.io.safetensors.SafetensorsFormatException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * Writes one safetensors file: the header first (all shapes are known from the plan), then each
 * tensor's bytes streamed from its {@link TensorContent}, then fsync. Writes go through a channel,
 * never a mapping, so a full disk is an IOException and not a SIGBUS. The bytes are hashed as they
 * are written, and the header is parsed again from what was written before the file counts as done.
 */
public final class SafetensorsWriter {
    private static final int BUFFER = 8 << 20;

    private SafetensorsWriter() {
    }

    /** Writes {@code tensors} in the order given; returns the file's length. */
    public static long write(Path file, Map<String, String> metadata, List<PlannedTensor> tensors) throws IOException {
        return writeFile(file, metadata, tensors).bytes();
    }

    /** As {@link #write(Path, Map, List)}; returns the file with its length and SHA-256. */
    public static WrittenFile writeFile(Path file, Map<String, String> metadata, List<PlannedTensor> tensors) throws IOException {
        Path abs = file.toAbsolutePath();
        try (FolderFiles files = new FolderFiles(abs.getParent())) {
            return write(files, abs.getFileName().toString(), metadata, tensors, WriteProgress.NONE);
        } catch (IOException e) {
            throw new IoFailureException(file + ": write failed (" + describe(e) + ")", e);
        }
    }

    /**
     * Writes one safetensors file to {@code target} whole or not at all (staged, fsynced, renamed;
     * refused if it exists without {@code force}); returns it with its length and SHA-256.
     */
    public static WrittenFile writeAtomically(Path target, boolean force, Map<String, String> metadata, List<PlannedTensor> tensors) {
        try (AtomicOutput out = AtomicOutput.begin(target, force)) {
            WrittenFile written;
            try {
                written = writeFile(out.stagedFile(), metadata, tensors);
            } catch (IOException e) {
                throw new IoFailureException(target + ": write failed (" + describe(e) + ")", e);
            }
            out.commit();
            return written;
        }
    }

    /** Writes file {@code name} of {@code files}; {@code progress} hears of each tensor once its bytes are handed over. */
    public static WrittenFile write(OutputFiles files, String name, Map<String, String> metadata, List<PlannedTensor> tensors,
                                    WriteProgress progress) throws IOException {
        byte[] header = HeaderWriter.header(metadata, tensors);
        long size = 8L + header.length;
        for (PlannedTensor t : tensors) {
            size += t.byteSize();
        }
        WritableByteChannel ch = files.open(name, size);
        PipelinedSink sink = new PipelinedSink(ch, BUFFER);
        try {
            writeAll(sink, header, tensors, progress);
        } catch (IOException | RuntimeException | Error e) {
            sink.abort();
            throw e;
        }
        files.end();
        revalidate(files.file(name), name, header, size, sink.count());
        return new WrittenFile(name, sink.count(), sink.sha256());
    }

    private static void writeAll(PipelinedSink sink, byte[] header, List<PlannedTensor> tensors, WriteProgress progress) throws IOException {
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
            progress.tensorWritten(t.name(), wrote);
        }
        sink.finish();
    }

    /**
     * DESIGN.md "Outputs are re-validated after writing": the header is parsed again with the
     * reader's parser and the length checked against it. A file on disk is read back (8 + N bytes);
     * an archive entry, which cannot be read back while the archive is open, is checked from the
     * header bytes and the count of bytes that went into it.
     */
    private static void revalidate(Path onDisk, String name, byte[] header, long expected, long counted) throws IOException {
        try {
            if (onDisk == null) {
                check(name, counted == expected, counted, expected);
                HeaderParser.parse(name, header, counted - 8 - header.length);
                return;
            }
            try (FileChannel ch = FileChannel.open(onDisk, StandardOpenOption.READ)) {
                long length = ch.size();
                check(onDisk.toString(), length == expected, length, expected);
                ByteBuffer prefix = ByteBuffer.allocate(8);
                readFully(ch, prefix, 0);
                prefix.flip();
                long n = HeaderParser.headerLength(onDisk.toString(), prefix, length);
                ByteBuffer h = ByteBuffer.allocate((int) n);
                readFully(ch, h, 8);
                HeaderParser.parse(onDisk.toString(), h.array(), length - 8 - n);
            }
        } catch (SafetensorsFormatException e) {
            throw new IoFailureException(name + ": the written file fails re-validation (" + e.getMessage() + ")", e);
        }
    }

    private static void check(String label, boolean ok, long actual, long expected) {
        if (!ok) {
            throw new IoFailureException(label + ": written " + actual + " bytes, the plan says " + expected);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos + b.position());
            if (n < 0) {
                throw new IOException("file ends early");
            }
        }
    }

    static String describe(IOException e) {
        String m = e.getMessage();
        if (m != null && m.contains("No space left")) {
            return "disk full";
        }
        if (m != null && m.contains("File too large")) {
            return "File too large: over the file system's or the process's (ulimit -f) file-size limit";
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
