package dev.surgeon.io.safetensors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A tensor over 2 GiB, in a sparse file so the test costs no disk: it is streamed in chunks that
 * cover every byte once, and the bytes at both ends are where they should be.
 */
class LargeTensorTest {
    @TempDir
    Path tmp;

    @Test
    void tensorOverTwoGibIsReadInChunks() throws Exception {
        long size = (1L << 31) + 24; // past Integer.MAX_VALUE
        String json = "{\"big\":{\"dtype\":\"U8\",\"shape\":[" + size + "],\"data_offsets\":[0," + size + "]}}";
        byte[] header = (json + " ".repeat((8 - json.length() % 8) % 8)).getBytes(StandardCharsets.UTF_8);
        Path file = tmp.resolve("big.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            f.write(prefix.array());
            f.write(header);
            f.write(7); // first data byte
            f.seek(8 + header.length + size - 1);
            f.write(9); // last data byte; everything between is a hole
        }
        try (SafetensorsFile sf = SafetensorsFile.open(file)) {
            TensorInfo t = sf.tensor("big");
            assertThat(t.byteSize()).isEqualTo(size);
            long[] seen = {0};
            byte[] ends = new byte[2];
            sf.forEachChunk(t, SafetensorsFile.DEFAULT_CHUNK * 4, (chunk, off) -> {
                assertThat(off).isEqualTo(seen[0]);
                if (off == 0) {
                    ends[0] = chunk.get(0);
                }
                if (off + chunk.remaining() == size) {
                    ends[1] = chunk.get(chunk.limit() - 1);
                }
                seen[0] += chunk.remaining();
            });
            assertThat(seen[0]).isEqualTo(size);
            assertThat(ends).containsExactly(7, 9);
            ByteBuffer tail = ByteBuffer.allocate(16);
            sf.read(t, size - 16, tail);
            assertThat(tail.get(15)).isEqualTo((byte) 9);
            assertThatThrownBy(() -> sf.readAll(t)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
