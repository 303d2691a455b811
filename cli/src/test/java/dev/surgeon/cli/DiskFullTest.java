package dev.surgeon.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Output to a full disk: a 256 KiB tmpfs is mounted for the test (needs root; skipped otherwise).
 * The run must exit 4 with one clear line and leave nothing on the small disk.
 */
class DiskFullTest {
    @TempDir
    Path tmp;
    Path mount;
    boolean mounted;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        mount = Files.createDirectory(tmp.resolve("small"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        mounted = p.waitFor() == 0;
        Assumptions.assumeTrue(mounted, "cannot mount a small tmpfs here (needs root); disk-full test skipped");
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            new ProcessBuilder("umount", mount.toString()).start().waitFor();
        }
    }

    @Test
    void fullDiskExitsFourAndLeavesNothing() throws Exception {
        Path in = TestModels.tinyLlama(tmp.resolve("in"), 1);
        // Grow the input past the disk's size with one more large tensor.
        java.util.List<dev.surgeon.io.write.PlannedTensor> ts = new java.util.ArrayList<>();
        ts.add(TestModels.f32("model.embed_tokens.weight", new long[] {512, 256}, TestModels.random(512 * 256, 3)));
        Path big = tmp.resolve("big.safetensors");
        dev.surgeon.io.write.SafetensorsWriter.write(big, java.util.Map.of(), ts);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true));
        int code;
        try {
            code = Main.run("convert", big.toString(), "-o", mount.resolve("out").toString());
        } finally {
            System.setErr(old);
        }
        assertThat(code).isEqualTo(ExitCodes.IO_FAILURE);
        assertThat(err.toString()).contains("disk full").hasLineCount(1);
        assertThat(TestModels.listing(mount)).containsExactly("");
        assertThat(in).exists();
    }
}
