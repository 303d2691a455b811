package dev.surgeon.io.digest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DigestCacheTest {
    @TempDir
    Path tmp;

    private static String digest(Path f) {
        return DigestCache.ofFile(f, ByteBuffer.allocateDirect(Sha256.BUFFER));
    }

    @Test
    void anUnchangedFileIsHashedOnceAndAnyWriteMakesItHashedAgain() throws Exception {
        assumeTrue(DigestCache.directory() != null, "the digest cache is turned off in this environment");
        Path f = tmp.resolve("model.safetensors");
        Files.write(f, "weights v1".getBytes());
        // just written: inside the racy window, so hashed but not remembered
        int before = DigestCache.hashed();
        assertThat(digest(f)).isEqualTo(Sha256.of("weights v1".getBytes()));
        assertThat(digest(f)).isEqualTo(Sha256.of("weights v1".getBytes()));
        assertThat(DigestCache.hashed() - before).isEqualTo(2);

        Thread.sleep(2_100);
        digest(f); // remembered now
        int hashed = DigestCache.hashed();
        assertThat(digest(f)).isEqualTo(Sha256.of("weights v1".getBytes()));
        assertThat(DigestCache.hashed()).as("found in the cache").isEqualTo(hashed);

        // same size, and the modification time put back: the change time still gives it away
        var mtime = Files.getLastModifiedTime(f);
        Files.write(f, "weights v2".getBytes());
        Files.setLastModifiedTime(f, mtime);
        assertThat(digest(f)).isEqualTo(Sha256.of("weights v2".getBytes()));
        assertThat(DigestCache.hashed()).isEqualTo(hashed + 1);
    }

    @Test
    void anUnreadableCacheIsNoErrorAndAMissingFileIsStillReported() throws Exception {
        Path dir = DigestCache.directory();
        assumeTrue(dir != null, "the digest cache is turned off in this environment");
        Files.createDirectories(dir);
        Files.write(dir.resolve(DigestCache.FILE_NAME), new byte[] {(byte) 0xff, 0, '\t', '\n', 'x'});
        Path f = tmp.resolve("a.bin");
        Files.write(f, new byte[] {1, 2, 3});
        assertThat(digest(f)).isEqualTo(Sha256.of(new byte[] {1, 2, 3}));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> digest(tmp.resolve("missing.bin")))
                .hasMessageContaining("no such file");
    }
}
