package dev.surgeon.io.write;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

/**
 * Where the files of an output go, one after another: a (staging) folder, or the entries of an
 * archive being streamed. Every file's size is known before its first byte, as a tar entry needs.
 */
public interface OutputFiles extends Closeable {
    /** Starts file {@code name} (relative, '/'-separated) of exactly {@code size} bytes. */
    WritableByteChannel open(String name, long size) throws IOException;

    /** Ends the file opened last: fsync for a folder, the entry's end in an archive. */
    void end() throws IOException;

    /** The file on disk, for re-reading; null when it is an archive entry. */
    Path file(String name);

    /** Closes whatever is still open; after a failure the caller discards the output. */
    @Override
    void close() throws IOException;
}
