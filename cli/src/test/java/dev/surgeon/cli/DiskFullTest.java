package dev.surgeon.cli;

import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.SafetensorsWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Output to a disk too small for it. Two paths, each exit 4 with one clear line and nothing left:
 * the free-space check before anything is written (a 256 KiB tmpfs; needs root, skipped otherwise),
 * and a write that fails part-way although the check passed (a child JVM under a file-size rlimit,
 * so its writes fail with EFBIG: HotSpot ignores SIGXFSZ).
 */
class DiskFullTest {
    @TempDir
    Path tmp;
    Path mount;
    boolean mounted;

    /** Mounts a 256 KiB tmpfs at tmp/small, or skips the test when that is not allowed (not root). */
    private void mountSmallDisk() throws Exception {
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

    /** A single-file model of about 512 KiB of F32 data: twice the small disk. */
    private Path bigModel() throws Exception {
        List<PlannedTensor> ts = new ArrayList<>();
        ts.add(TestModels.f32("model.embed_tokens.weight", new long[] {512, 256}, TestModels.random(512 * 256, 3)));
        Path big = tmp.resolve("big.safetensors");
        SafetensorsWriter.write(big, Map.of(), ts);
        return big;
    }

    @Test
    void tooSmallDiskFailsBeforeWritingWithOneLine() throws Exception {
        mountSmallDisk();
        Path big = bigModel();
        CommandRun r = CommandRun.of("convert", big.toString(), "-o", mount.resolve("out").toString());
        assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.IO_FAILURE);
        assertThat(r.err()).contains("not enough space: the output needs ").contains(" free on " + mount).hasLineCount(1);
        assertThat(TestModels.listing(mount)).containsExactly("");
        assertThat(big).exists();
    }

    @Test
    void dryRunToTooSmallDiskExitsFourWithOneLine() throws Exception {
        mountSmallDisk();
        Path big = bigModel();
        Path out = mount.resolve("out");
        CommandRun r = CommandRun.of("convert", big.toString(), "-o", out.toString(), "--dry-run");
        assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.IO_FAILURE);
        assertThat(r.err().trim()).hasLineCount(1)
                .matches("surgeon: error: " + java.util.regex.Pattern.quote(out.toString())
                        + ": not enough space: the output needs [0-9.]+ KiB, 256 KiB free on "
                        + java.util.regex.Pattern.quote(mount.toString()));
        assertThat(r.out()).contains("does NOT fit");
        assertThat(TestModels.listing(mount)).containsExactly("");
    }

    @Test
    void writeThatFailsPartWayExitsFourAndLeavesNothing() throws Exception {
        Assumptions.assumeTrue(new File("/bin/sh").canExecute(), "no /bin/sh to set a file-size limit; test skipped");
        Path big = bigModel();
        Path outDir = Files.createDirectory(tmp.resolve("limited"));
        String java = ProcessHandle.current().info().command().orElse("java");
        // ulimit -f counts 512-byte blocks: 200 blocks = 100 KiB, less than the 512 KiB output; the
        // free-space check passes (the disk is large), the write itself fails.
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", "ulimit -f 200; exec \"$0\" -cp \"$1\" dev.surgeon.cli.Main "
                + "convert \"$2\" -o \"$3\"", java, System.getProperty("java.class.path"), big.toString(),
                outDir.resolve("out").toString());
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        assertThat(code).as(err).isEqualTo(ExitCodes.IO_FAILURE);
        assertThat(err).contains("write failed").doesNotContain("not enough space").hasLineCount(1);
        assertThat(TestModels.listing(outDir)).containsExactly("");
        assertThat(big).exists();
    }
}
