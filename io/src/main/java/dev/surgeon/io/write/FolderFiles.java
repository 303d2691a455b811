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

    public FolderFiles(Path dir) {
        this.dir = dir;
    }

    @Override
    public WritableByteChannel open(String name, long size) throws IOException {
        close();
        current = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return current;
    }

    @Override
    public void end() throws IOException {
        FileChannel ch = current;
        current = null;
        try (ch) {
            ch.force(true);
        }
    }

    @Override
    public Path file(String name) {
        return dir.resolve(name);
    }

    @Override
    public void close() throws IOException {
        if (current != null) {
            FileChannel ch = current;
            current = null;
            ch.close();
        }
    }
}
