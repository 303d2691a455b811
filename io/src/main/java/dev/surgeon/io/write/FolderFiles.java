package dev.surgeon.io.write;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Output files as plain files in a folder (an {@link AtomicOutput}'s staging folder). */
public final class FolderFiles implements OutputFiles {
    private final Path dir;
    private FileChannel current;
    /** Writes {@link #current}'s data with O_DIRECT when the file is large and its file system allows. */
    private DirectFileWriter direct;

    public FolderFiles(Path dir) {
        this.dir = dir;
    }

    @Override
    public WritableByteChannel open(String name, long size) throws IOException {
        close();
        Path file = dir.resolve(name);
        current = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        direct = DirectFileWriter.open(file, size, DirectFileWriter.MIN_SIZE);
        return direct != null ? direct : current;
    }

    @Override
    public void end() throws IOException {
        FileChannel ch = current;
        DirectFileWriter d = direct;
        current = null;
        direct = null;
        try (ch) {
            if (d != null) {
                d.finish();
            }
            ch.force(true);
        } finally {
            if (d != null) {
                d.close();
            }
        }
    }

    @Override
    public Path file(String name) {
        return dir.resolve(name);
    }

    @Override
    public void close() throws IOException {
        if (direct != null) {
            DirectFileWriter d = direct;
            direct = null;
            d.close();
        }
        if (current != null) {
            FileChannel ch = current;
            current = null;
            ch.close();
        }
    }
}
