package dev.surgeon.io.write;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * O_DIRECT output: the file holds exactly the bytes written, whatever their sizes and alignment
 * (heap and direct sources, writes spanning several of its buffers, a tail that is not a
 * whole block); small outputs and file systems that refuse O_DIRECT get no direct writer.
 */
class DirectFileWriterTest {
    @TempDir
    Path tmp;

    @Test
    void theFileHoldsExactlyTheBytesWritten() throws Exception {
        Random rnd = new Random(7);
        int buf = DirectFileWriter.BUFFER;
        for (int total : new int[] {1, 4095, 4097, buf - 3, buf + 5, 2 * buf + 4096, 2 * buf + 1_000_017}) {
            byte[] expected = new byte[total];
            rnd.nextBytes(expected);
            Path f = Files.createFile(tmp.resolve("out-" + total));
            DirectFileWriter w = DirectFileWriter.open(f, total, 0);
            assumeTrue(w != null, "the file system under " + tmp + " refuses O_DIRECT");
            int at = 0;
            while (at < total) {
                int n = Math.min(total - at, 1 + rnd.nextInt(12 << 20));
                ByteBuffer src = rnd.nextBoolean() ? ByteBuffer.allocate(n) : ByteBuffer.allocateDirect(n);
                src.put(expected, at, n).flip();
                assertThat(w.write(src)).isEqualTo(n);
                assertThat(src.hasRemaining()).isFalse();
                at += n;
            }
            w.finish();
            assertThat(w.isOpen()).isFalse();
            byte[] actual = Files.readAllBytes(f);
            assertThat(actual.length).as("length of %d bytes written", total).isEqualTo(total);
            assertThat(Arrays.equals(actual, expected)).as("content of %d bytes written", total).isTrue();
        }
    }

    /**
     * A producer slower than the disk leaves the I/O thread waiting: it flushes what it wrote then
     * (once at least {@link DirectFileWriter#FLUSH_AFTER} bytes are unflushed), and the bytes are
     * still exactly those written.
     */
    @Test
    void anIdleWriterFlushesAndTheBytesStayExact() throws Exception {
        int buf = DirectFileWriter.BUFFER;
        long total = 3 * DirectFileWriter.FLUSH_AFTER + buf + 12345;
        Path f = Files.createFile(tmp.resolve("slow"));
        DirectFileWriter w = DirectFileWriter.open(f, total, 0);
        assumeTrue(w != null, "the file system under " + tmp + " refuses O_DIRECT");
        Random rnd = new Random(11);
        byte[] expected = new byte[(int) total];
        rnd.nextBytes(expected);
        for (int at = 0; at < total; ) {
            int n = (int) Math.min(total - at, buf);
            w.write(ByteBuffer.wrap(expected, at, n));
            at += n;
            Thread.sleep(120); // the producer computes; the I/O thread has nothing to write
        }
        w.finish();
        assertThat(w.flushes()).isGreaterThanOrEqualTo(1);
        assertThat(Arrays.equals(Files.readAllBytes(f), expected)).isTrue();
    }

    @Test
    void smallOutputsAndClosedWritersAreRefused() throws Exception {
        Path f = Files.createFile(tmp.resolve("small"));
        assertThat(DirectFileWriter.open(f, DirectFileWriter.MIN_SIZE - 1, DirectFileWriter.MIN_SIZE)).isNull();
        DirectFileWriter w = DirectFileWriter.open(f, 1 << 20, 0);
        assumeTrue(w != null, "the file system under " + tmp + " refuses O_DIRECT");
        w.write(ByteBuffer.wrap(new byte[1000]));
        w.close(); // a failure elsewhere: nothing more is written, the file is closed
        assertThatThrownBy(() -> w.write(ByteBuffer.allocate(1))).isInstanceOf(ClosedChannelException.class);
        assertThat(Files.size(f)).isLessThanOrEqualTo(1000);
    }

    @Test
    void tmpfsEitherRefusesOrWritesCorrectly() throws Exception {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no /dev/shm (tmpfs) here");
        Path f = Files.createTempFile(shm, "surgeon-direct", ".bin");
        try {
            byte[] expected = new byte[5000];
            new Random(3).nextBytes(expected);
            // tmpfs took no O_DIRECT before Linux 6.6: then open() says so with null and the caller
            // writes through the page cache; since, the direct writer works there too
            DirectFileWriter w = DirectFileWriter.open(f, 1L << 30, 0);
            if (w == null) {
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap(expected));
                }
            } else {
                w.write(ByteBuffer.wrap(expected));
                w.finish();
            }
            assertThat(Files.readAllBytes(f)).isEqualTo(expected);
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
