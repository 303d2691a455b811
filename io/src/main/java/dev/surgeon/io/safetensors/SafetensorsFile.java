package dev.surgeon.io.safetensors;

import dev.surgeon.io.error.IoFailureException;
import dev.surgeon.io.util.ReadBuffers;
import dev.surgeon.io.util.Unmapper;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * One open safetensors file. Opening reads and validates the header only; tensor bytes are reached
 * through short-lived read-only mappings (zero copy, released after use) for random access, or
 * streamed by positioned reads into a reused buffer, so memory stays bounded by the chunk in hand
 * whatever the file's size. Thread-safe for concurrent reads.
 */
public final class SafetensorsFile implements Closeable {
    /** Default size of one chunk when streaming a tensor. */
    public static final int DEFAULT_CHUNK = 16 << 20;

    private final Path path;
    private final FileChannel channel;
    private final SafetensorsHeader header;
    private final long fileLength;

    private SafetensorsFile(Path path, FileChannel channel, SafetensorsHeader header, long fileLength) {
        this.path = path;
        this.channel = channel;
        this.header = header;
        this.fileLength = fileLength;
    }

    /** Opens and validates a file; throws {@link SafetensorsFormatException} or {@link IoFailureException}. */
    public static SafetensorsFile open(Path path) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new IoFailureException(path + ": no such file");
        } catch (AccessDeniedException e) {
            throw new IoFailureException(path + ": permission denied");
        } catch (IOException e) {
            throw new IoFailureException(path + ": cannot open (" + e.getMessage() + ")", e);
        }
        try {
            long len = ch.size();
            String label = path.toString();
            ByteBuffer prefix = ByteBuffer.allocate((int) Math.min(8, len));
            readFully(ch, prefix, 0);
            prefix.flip();
            long n = HeaderParser.headerLength(label, prefix, len);
            byte[] hb = new byte[(int) n];
            readFully(ch, ByteBuffer.wrap(hb), 8);
            SafetensorsHeader h = HeaderParser.parse(label, hb, len - 8 - n);
            return new SafetensorsFile(path, ch, h, len);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        } catch (IOException e) {
            closeQuietly(ch);
            throw new IoFailureException(path + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    public Path path() {
        return path;
    }

    public SafetensorsHeader header() {
        return header;
    }

    public List<TensorInfo> tensors() {
        return header.tensors();
    }

    public TensorInfo tensor(String name) {
        return header.tensor(name);
    }

    public Map<String, String> metadata() {
        return header.metadata();
    }

    public long fileLength() {
        return fileLength;
    }

    /**
     * Maps {@code length} bytes of a tensor starting {@code offset} bytes into it, read-only and
     * little-endian. The caller releases it with {@link #release} when done. A file cut short
     * after it is mapped faults on access (the JVM turns the SIGBUS into an InternalError), so the
     * commands use {@link #mapped}, {@link #read} or {@link #forEachChunk}, which report such a
     * file as an I/O failure naming it; map only where that risk is acceptable.
     */
    public ByteBuffer map(TensorInfo t, long offset, long length) {
        checkRange(t, offset, length);
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("map at most 2 GiB at a time; read larger tensors in chunks");
        }
        try {
            ensureNotTruncated(t);
            MappedByteBuffer b = channel.map(FileChannel.MapMode.READ_ONLY, header.dataStart() + t.begin() + offset, length);
            return b.order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new IoFailureException(path + ": cannot map tensor '" + t.name() + "' (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Gives {@code use} tensor bytes {@code [offset, offset + length)} mapped read-only (little-endian)
     * and unmaps them after: the bytes are decoded where the page cache holds them, without the copy
     * into this process that {@link #read} makes (that copy was a fifth of a 3B BF16 scale's CPU
     * samples on 2 cores, perf). A file cut short while mapped is reported as the same I/O failure a short
     * read gives.
     */
    public void mapped(TensorInfo t, long offset, int length, MappedUse use) {
        ByteBuffer b = map(t, offset, length);
        useMapped(t, b, use);
        release(b);
    }

    /**
     * Gives {@code use} bytes of tensor {@code t} from a mapping the caller made with {@link #map}
     * and keeps (a window over several chunks), with {@link #mapped}'s checks: a file cut short while
     * mapped is the same I/O failure. After a failure the caller drops the mapping without releasing it.
     */
    public void useMapped(TensorInfo t, ByteBuffer mapping, MappedUse use) {
        try {
            use.accept(mapping);
            if (shrunk()) {
                // A fault may still be pending for this thread (see below). Unmapping runs JDK code
                // that exits the JVM on any error, so this mapping is left to the garbage collector,
                // whose cleaner runs on its own thread.
                throw truncated(t);
            }
        } catch (InternalError e) {
            // A mapped page past the file's end (or one the disk could not read) faulted. The JVM
            // raises that as an InternalError asynchronously: in use(), or at this thread's next
            // entry into the VM, which may be the check above or building its exception.
            throw shrunk() ? truncated(t) : new IoFailureException(path + ": cannot read tensor '" + t.name()
                    + "' (" + e.getMessage() + ")", e);
        }
    }

    /** Reads a mapped range; must not keep the buffer. */
    @FunctionalInterface
    public interface MappedUse {
        void accept(ByteBuffer bytes);
    }

    /**
     * Has the kernel read tensor bytes {@code [offset, offset + length)} into the page cache by
     * sending them to {@code discard} (a channel on /dev/null): no copy into this process and no
     * mapping, so it costs almost no CPU; the reads that follow find the pages in memory. Returns
     * the bytes sent.
     */
    public long readAhead(TensorInfo t, long offset, long length, java.nio.channels.WritableByteChannel discard) throws IOException {
        checkRange(t, offset, length);
        long start = header.dataStart() + t.begin() + offset;
        long done = 0;
        while (done < length) {
            long n = channel.transferTo(start + done, length - done, discard);
            if (n <= 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    /** Releases a buffer returned by {@link #map}. */
    public static void release(ByteBuffer mapped) {
        Unmapper.release(mapped);
    }

    /** Reads tensor bytes from {@code offset} into {@code dst} until it is full (positioned, thread-safe). */
    public void read(TensorInfo t, long offset, ByteBuffer dst) {
        checkRange(t, offset, dst.remaining());
        try {
            readFully(channel, dst, header.dataStart() + t.begin() + offset);
        } catch (EOFException e) {
            throw truncated(t);
        } catch (IOException e) {
            throw new IoFailureException(path + ": cannot read tensor '" + t.name() + "' (" + e.getMessage() + ")", e);
        }
    }

    /** Reads a whole tensor into a new little-endian heap buffer; for tensors under 2 GiB. */
    public ByteBuffer readAll(TensorInfo t) {
        if (t.byteSize() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' is over 2 GiB; read it in chunks");
        }
        ByteBuffer b = ByteBuffer.allocate((int) t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        read(t, 0, b);
        b.flip();
        return b;
    }

    /**
     * Streams a tensor through {@code consumer} in chunks of at most {@code chunkBytes}, cut on
     * element boundaries. Chunks are positioned reads into this thread's reused buffer, not
     * mappings: sequential read() calls get the kernel's full read-ahead, which measured faster than
     * faulting mapped pages in on a cold cache. The consumer must not keep the buffer.
     */
    public void forEachChunk(TensorInfo t, int chunkBytes, ChunkConsumer consumer) throws IOException {
        int width = t.dtype().bits() % 8 == 0 ? t.dtype().bits() / 8 : 1;
        long step = Math.max(width, (chunkBytes / width) * (long) width);
        ByteBuffer buf = ReadBuffers.get((int) Math.min(step, t.byteSize()));
        for (long off = 0; off < t.byteSize(); off += step) {
            int len = (int) Math.min(step, t.byteSize() - off);
            buf.clear().limit(len);
            read(t, off, buf);
            buf.flip();
            consumer.accept(buf, off);
        }
    }

    /** Receives one chunk of a tensor and its byte offset within the tensor. */
    @FunctionalInterface
    public interface ChunkConsumer {
        void accept(ByteBuffer chunk, long offsetInTensor) throws IOException;
    }

    private void checkRange(TensorInfo t, long offset, long length) {
        if (header.tensor(t.name()) != t && !t.equals(header.tensor(t.name()))) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' is not from " + path);
        }
        if (offset < 0 || length < 0 || offset + length > t.byteSize()) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " outside tensor '" + t.name() + "'");
        }
    }

    private void ensureNotTruncated(TensorInfo t) throws IOException {
        if (channel.size() < fileLength) {
            throw truncated(t);
        }
    }

    /** True when the file is now shorter than when it was opened (or its size cannot be read). */
    private boolean shrunk() {
        try {
            return channel.size() < fileLength;
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * The file is shorter than when it was opened and validated: another process changed it under
     * the run. An I/O failure (exit 4), not a malformed file: the file was valid when opened.
     */
    private IoFailureException truncated(TensorInfo t) {
        String now;
        try {
            now = channel.size() + " bytes";
        } catch (IOException e) {
            now = "unreadable";
        }
        return new IoFailureException(path + ": the input changed while it was read: tensor '" + t.name()
                + "' is cut short (the file is now " + now + ", it was " + fileLength + " bytes when opened)");
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) {
                throw new EOFException();
            }
            pos += n;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to add to the failure already being reported
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }
}
