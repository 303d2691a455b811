package dev.surgeon.io.write;

import dev.surgeon.io.digest.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PipelinedSinkTest {
    @TempDir
    Path tmp;

    private static ByteBuffer bytes(int n, int seed, boolean direct) {
        ByteBuffer b = direct ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n);
        for (int i = 0; i < n; i++) {
            b.put((byte) (i * 31 + seed));
        }
        return b.flip();
    }

    @Test
    void gatheredAndHandedOverBytesLandInOrderWithTheirDigestAndEveryBufferComesBackOnce() throws IOException {
        Path file = tmp.resolve("out.bin");
        AtomicInteger returned = new AtomicInteger();
        List<ByteBuffer> parts = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            PipelinedSink sink = new PipelinedSink(ch, 1000);
            for (int k = 0; k < 40; k++) {
                // small gathered writes (across buffer boundaries), direct and heap hand-overs, mixed
                ByteBuffer b = bytes(1 + k * 97, k, k % 3 != 0);
                parts.add(b.duplicate());
                if (k % 2 == 0) {
                    sink.write(b);
                } else {
                    sink.handOver(b, returned::incrementAndGet);
                }
            }
            sink.finish();
            ByteBuffer all = ByteBuffer.allocate((int) sink.count());
            parts.forEach(all::put);
            assertThat(Files.readAllBytes(file)).isEqualTo(all.array());
            assertThat(sink.sha256()).isEqualTo(Sha256.of(all.array()));
        }
        assertThat(returned.get()).isEqualTo(20);
    }

    @Test
    void aWriteFailureSurfacesOnTheNextCallAndHandedOverBuffersStillComeBack() throws Exception {
        AtomicInteger returned = new AtomicInteger();
        WritableByteChannel failing = new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) throws IOException {
                throw new IOException("No space left on device");
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
        PipelinedSink sink = new PipelinedSink(failing, 64);
        AtomicInteger handed = new AtomicInteger();
        assertThatThrownBy(() -> {
            for (int i = 0; i < 1000; i++) {
                handed.incrementAndGet();
                sink.handOver(bytes(100, i, true), returned::incrementAndGet);
                Thread.sleep(1);
            }
        }).isInstanceOf(IOException.class).hasMessageContaining("No space left");
        sink.abort();
        assertThat(handed.get()).isGreaterThan(1);
        assertThat(returned.get()).as("every handed-over buffer is given back, written or not").isEqualTo(handed.get());
        assertThatThrownBy(sink::finish).isInstanceOf(IOException.class);
    }
}
