package dev.surgeon.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Output to a full disk. Two ways to fill it: a 256 KiB / 1 MiB tmpfs mounted for the test (needs
 * root; skipped otherwise), where the run may stop early ("not enough space") or mid-write ("disk
 * full"); and a child JVM under {@code ulimit -f}, which always fails mid-write (HotSpot ignores
 * SIGXFSZ, so the write returns EFBIG "File too large"). Every case: exit 4, one error line, nothing
 * left beside the target, inputs unchanged.
 */
class DiskFullTest {
    @TempDir
    Path tmp;

    @Test
    void convertToAFullDiskExitsFourAndLeavesNothing() throws Exception {
        Path in = FailureInputs.llama(tmp.resolve("in"));
        try (SmallDisk disk = SmallDisk.mount(tmp.resolve("small"), "size=256k")) {
            inProcessFullDisk(disk.path().resolve("out"), in, "convert", in.toString());
        }
    }

    @Test
    void pruneToAFullDiskExitsFourAndLeavesNothing() throws Exception {
        Path in = FailureInputs.llama(tmp.resolve("in"));
        try (SmallDisk disk = SmallDisk.mount(tmp.resolve("small"), "size=256k")) {
            inProcessFullDisk(disk.path().resolve("pruned.safetensors"), in,
                    "prune", in.toString(), "--method", "magnitude", "--ratio", "0.5");
        }
    }

    @Test
    void shardedOutputToAFullDiskLeavesNoShard() throws Exception {
        Path in = FailureInputs.shardable(tmp.resolve("in/model.safetensors"), 8, 512);
        try (SmallDisk disk = SmallDisk.mount(tmp.resolve("small"), "size=1m")) {
            inProcessFullDisk(disk.path().resolve("out"), in.getParent(),
                    "convert", in.toString(), "--max-shard-size", "256K");
        }
    }

    @Test
    void dryRunToATooSmallDiskExitsFourWithOneLineAndWritesNothing() throws Exception {
        Path in = FailureInputs.llama(tmp.resolve("in"));
        try (SmallDisk disk = SmallDisk.mount(tmp.resolve("small"), "size=256k")) {
            Path out = disk.path().resolve("out");
            List<String> parentBefore = OutputLeftovers.parentListing(out);
            CommandRun r = CommandRun.of("convert", in.toString(), "--dtype", "f32", "-o", out.toString(), "--dry-run");
            assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.IO_FAILURE);
            assertThat(r.err().trim()).hasLineCount(1)
                    .matches("surgeon: error: " + java.util.regex.Pattern.quote(out.toString())
                            + ": not enough space: the output needs [0-9.]+ [KM]iB, 256 KiB free on "
                            + java.util.regex.Pattern.quote(disk.path().toString()));
            assertThat(r.out()).contains("does NOT fit");
            OutputLeftovers.assertNone(out, parentBefore);
        }
    }

    @Test
    void fileSizeLimitMidWriteExitsFourWithOneLine() throws Exception {
        Path in = FailureInputs.llama(tmp.resolve("in"));
        Path out = tmp.resolve("outs/model.safetensors");
        childFileSizeLimit(out, in, 512, "convert", in.toString(), "--dtype", "f32");
    }

    @Test
    void fileSizeLimitOnALaterShardRemovesTheEarlierShards() throws Exception {
        // 8 shards of 256 KiB fit under the 768 KiB limit; the ninth, 1 MiB, does not
        Path in = FailureInputs.shardable(tmp.resolve("in/model.safetensors"), 8, 1024);
        Path out = tmp.resolve("outs/sharded");
        childFileSizeLimit(out, in.getParent(), 768, "convert", in.toString(), "--max-shard-size", "256K");
    }

    @Test
    void fileSizeLimitMidDirectWriteExitsFourWithOneLine() throws Exception {
        // an 82 MiB output is written with O_DIRECT (DirectFileWriter, from 64 MiB): its I/O thread
        // meets the 48 MiB limit, and the failure surfaces like any other write failure
        Path in = FailureInputs.shardable(tmp.resolve("in/model.safetensors"), 8, 80 * 1024);
        Path out = tmp.resolve("outs/big.safetensors");
        childFileSizeLimit(out, in.getParent(), 48 * 1024, "convert", in.toString());
    }

    private void inProcessFullDisk(Path out, Path inputs, String... args) throws Exception {
        Map<String, String> before = FileDigests.of(inputs);
        List<String> parentBefore = OutputLeftovers.parentListing(out);
        String[] full = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("-o", out.toString(), "-q"))
                .toArray(String[]::new);
        CommandRun r = CommandRun.of(full);
        assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.IO_FAILURE);
        OutputLeftovers.assertOneErrorLine(r.err());
        assertThat(r.err()).containsAnyOf("disk full", "not enough space");
        OutputLeftovers.assertNone(out, parentBefore);
        assertThat(FileDigests.of(inputs)).isEqualTo(before);
    }

    private void childFileSizeLimit(Path out, Path inputs, long kib, String... args) throws Exception {
        Map<String, String> before = FileDigests.of(inputs);
        java.nio.file.Files.createDirectories(out.getParent());
        List<String> parentBefore = OutputLeftovers.parentListing(out);
        String[] full = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("-o", out.toString(), "-q"))
                .toArray(String[]::new);
        ChildSurgeon c = ChildSurgeon.run(tmp.resolve("logs"), kib, full);
        assertThat(c.exitCode()).as(c.stderr()).isEqualTo(ExitCodes.IO_FAILURE);
        OutputLeftovers.assertOneErrorLine(c.stderr(), "File too large");
        OutputLeftovers.assertNone(out, parentBefore);
        assertThat(FileDigests.of(inputs)).isEqualTo(before);
    }
}
