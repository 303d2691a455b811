package dev.surgeon.cli;

import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An input found broken in the middle of a run: a .tar.gz whose gzip stream is cut (unpacked at
 * open: exit 3, one line naming the archive), and a shard cut short by another process after the
 * run opened and validated it (exit 4, "the input changed while it was read", naming the shard).
 * Nothing is left beside the target either way.
 */
class TruncatedInputTest {
    @TempDir
    Path tmp;

    @Test
    void cutGzipArchiveExitsThreeNamingTheArchive() throws Exception {
        Path model = FailureInputs.llama(tmp.resolve("model"));
        Path archive = tmp.resolve("model.tar.gz");
        Process tar = new ProcessBuilder("tar", "czf", archive.toString(), "-C", tmp.toString(), "model")
                .redirectErrorStream(true).start();
        assertThat(tar.waitFor()).as("tar czf").isZero();
        byte[] whole = Files.readAllBytes(archive);
        for (int cut : new int[] {whole.length / 2, whole.length - 4, 40}) {
            Files.write(archive, Arrays.copyOf(whole, cut));
            String digest = FileDigests.sha256(archive);
            Path out = tmp.resolve("outs/out-" + cut);
            Files.createDirectories(out.getParent());
            List<String> parentBefore = OutputLeftovers.parentListing(out);
            CommandRun r = CommandRun.of("convert", archive.toString(), "-o", out.toString(), "-q");
            assertThat(r.code()).as("cut at %d of %d: %s", cut, whole.length, r).isEqualTo(ExitCodes.INVALID_INPUT);
            OutputLeftovers.assertOneErrorLine(r.err(), archive.toString());
            assertThat(r.err()).doesNotContain("(null)");
            OutputLeftovers.assertNone(out, parentBefore);
            assertThat(FileDigests.sha256(archive)).isEqualTo(digest);
        }
    }

    @Test
    void shardCutShortWhileTheRunReadsItExitsFour() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("sharded"));
        Path second = shardedInput(in);
        byte[] secondWhole = Files.readAllBytes(second);
        Path outDir = Files.createDirectories(tmp.resolve("outs"));
        Path out = outDir.resolve("converted");
        // The run may, on a very fast machine, read the second shard before it is cut: then it
        // succeeds, and the test restores the shard and tries again.
        for (int attempt = 1; ; attempt++) {
            Files.write(second, secondWhole);
            Map<String, String> othersBefore = FileDigests.of(in.resolve("model-00001-of-00002.safetensors"),
                    in.resolve("model.safetensors.index.json"));
            ChildSurgeon c = ChildSurgeon.start(tmp.resolve("logs"), "convert", in.toString(), "--dtype", "bf16",
                    "-o", out.toString(), "-q");
            try {
                Path staging = outDir.resolve(".converted.surgeon-tmp");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!Files.isDirectory(staging) && c.alive() && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertThat(c.alive()).as("surgeon still running when the shard is cut: %s", c.stderr()).isTrue();
                try (FileChannel ch = FileChannel.open(second, StandardOpenOption.WRITE)) {
                    ch.truncate(secondWhole.length / 2);
                }
                int code = c.waitFor();
                if (code == ExitCodes.OK && attempt < 3) {
                    dev.surgeon.io.util.TempFiles.deleteTree(out);
                    continue;
                }
                assertThat(code).as(c.stderr()).isEqualTo(ExitCodes.IO_FAILURE);
                OutputLeftovers.assertOneErrorLine(c.stderr(), second.toString(), "changed while it was read");
                OutputLeftovers.assertNone(out, List.of(""));
                assertThat(FileDigests.of(in.resolve("model-00001-of-00002.safetensors"),
                        in.resolve("model.safetensors.index.json"))).isEqualTo(othersBefore);
                return;
            } finally {
                c.destroy();
            }
        }
    }

    /**
     * Two shards: 128 MiB of F32 in the first (read first, so the run is busy converting it when
     * the second is cut) and 32 MiB in the second. Returns the second shard.
     */
    private static Path shardedInput(Path dir) throws Exception {
        int n = 8 << 20; // 32 MiB of F32 per tensor
        ByteBuffer data = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            data.putFloat((i % 1000) * 0.001f);
        }
        StringBuilder map = new StringBuilder();
        List<PlannedTensor> first = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            String name = "a." + t;
            first.add(new PlannedTensor(name, DType.F32, new long[] {n}, sink -> sink.write(data.duplicate().clear())));
            map.append('"').append(name).append("\":\"model-00001-of-00002.safetensors\",");
        }
        List<PlannedTensor> second = List.of(new PlannedTensor("b.0", DType.F32, new long[] {n},
                sink -> sink.write(data.duplicate().clear())));
        map.append("\"b.0\":\"model-00002-of-00002.safetensors\"");
        SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"), Map.of("format", "pt"), first);
        Path s2 = dir.resolve("model-00002-of-00002.safetensors");
        SafetensorsWriter.write(s2, Map.of("format", "pt"), second);
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"metadata\":{\"total_size\":" + (5L * n * 4) + "},\"weight_map\":{" + map + "}}\n");
        return s2;
    }
}
