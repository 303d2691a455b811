package dev.surgeon.cli;

import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two runs writing the same output at once, each in its own JVM. The first is frozen (SIGSTOP)
 * while it writes, so the second surely starts while the first holds the output; the second exits
 * 4 with one line, the first then finishes and its output is whole.
 */
class ConcurrentWriterTest {
    @TempDir
    Path tmp;

    @Test
    void secondRunOnTheSameOutputExitsFourAndTheFirstCompletes() throws Exception {
        Path input = bigInput(tmp.resolve("in/big.safetensors"));
        Map<String, String> before = FileDigests.of(input.getParent());
        Path outDir = Files.createDirectories(tmp.resolve("outs"));
        Path out = outDir.resolve("model");
        Path logs = tmp.resolve("logs");
        for (int attempt = 1; ; attempt++) {
            ChildSurgeon first = ChildSurgeon.start(logs, "convert", input.toString(), "--dtype", "bf16",
                    "--max-shard-size", "8M", "-o", out.toString(), "-q");
            try {
                Path staging = outDir.resolve(".model.surgeon-tmp");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!Files.isDirectory(staging) && first.alive() && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                first.signal("STOP");
                if (!first.alive() && attempt < 3) {
                    // finished before it could be frozen (a fast machine): start over
                    assertThat(first.exitCode()).as(first.stderr()).isEqualTo(ExitCodes.OK);
                    dev.surgeon.io.util.TempFiles.deleteTree(out);
                    continue;
                }
                assertThat(first.alive()).as("first run still writing when frozen: %s", first.stderr()).isTrue();
                assertThat(outDir.resolve(".model.surgeon.lock")).exists();

                ChildSurgeon second = ChildSurgeon.run(logs, 0, "convert", input.toString(), "-o", out.toString(), "-q");
                assertThat(second.exitCode()).as(second.stderr()).isEqualTo(ExitCodes.IO_FAILURE);
                OutputLeftovers.assertOneErrorLine(second.stderr(), "another surgeon run is writing this output");
                assertThat(staging).as("the second run left the first one's staging alone").isDirectory();

                first.signal("CONT");
                assertThat(first.waitFor()).as(first.stderr()).isEqualTo(ExitCodes.OK);
                break;
            } finally {
                first.signal("CONT");
                first.destroy();
            }
        }
        assertThat(TestModels.listing(outDir).stream().filter(n -> n.startsWith(".")).toList())
                .as("no staging or lock file left").isEmpty();
        CommandRun verify = CommandRun.of("verify", out.toString());
        assertThat(verify.code()).as(verify.toString()).isEqualTo(ExitCodes.OK);
        assertThat(FileDigests.of(input.getParent())).isEqualTo(before);
    }

    /** 32 MiB of F32 in 4 tensors: the first run is still writing a few ms after its staging appears. */
    private static Path bigInput(Path file) throws Exception {
        int n = 2 << 20;
        ByteBuffer data = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            data.putFloat((i % 1000) * 0.001f);
        }
        List<PlannedTensor> ts = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            ts.add(new PlannedTensor("w." + t, DType.F32, new long[] {n}, sink -> sink.write(data.duplicate().clear())));
        }
        Files.createDirectories(file.getParent());
        SafetensorsWriter.write(file, Map.of("format", "pt"), ts);
        return file;
    }
}
