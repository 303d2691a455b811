package dev.surgeon.cli;

import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.SafetensorsWriter;
import org.junit.jupiter.api.BeforeAll;
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
 * SIGTERM and SIGINT in the middle of a write: the run exits 143 / 130, no output and no staging
 * or lock file is left (for a sharded folder output: not even the shards already finished), and
 * the input is unchanged. Runs surgeon in a child JVM.
 */
class SignalCleanupTest {
    @TempDir
    static Path tmp;
    static Path input;
    static String inputDigest;

    @BeforeAll
    static void bigInput() throws Exception {
        // 512 MiB of F32: the conversion is still running when the signal lands (with 256 MiB a
        // loaded machine once saw it finish between the check and the signal).
        List<PlannedTensor> ts = new ArrayList<>();
        int n = 1 << 19;
        ByteBuffer data = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            data.putFloat((i % 1000) * 0.001f);
        }
        for (int t = 0; t < 256; t++) {
            ts.add(new PlannedTensor(String.format("model.layers.%d.mlp.up_proj.weight", t), DType.F32, new long[] {n},
                    sink -> sink.write(data.duplicate().clear())));
        }
        input = tmp.resolve("big.safetensors");
        SafetensorsWriter.write(input, Map.of("format", "pt"), ts);
        inputDigest = FileDigests.sha256(input);
    }

    @Test
    void sigtermMidWriteExits143AndLeavesNothing() throws Exception {
        check("TERM", ExitCodes.SIGTERM, false);
    }

    @Test
    void sigintMidWriteExits130AndLeavesNothing() throws Exception {
        check("INT", ExitCodes.SIGINT, false);
    }

    /** One signal suffices for shards: SIGINT and SIGTERM run the same cleanup hook. */
    @Test
    void sigintOnTheSecondShardLeavesNoShard() throws Exception {
        check("INT", ExitCodes.SIGINT, true);
    }

    /**
     * Signals a child run once it is writing: a single .safetensors output once its staged file has
     * bytes, a sharded folder once the second shard has bytes (so a finished shard exists to clean up).
     */
    private void check(String signal, int expected, boolean sharded) throws Exception {
        Path outDir = Files.createDirectories(tmp.resolve("out-" + signal + (sharded ? "-sharded" : "")));
        Path out = outDir.resolve(sharded ? "model" : "model.safetensors");
        List<String> args = new ArrayList<>(List.of("convert", input.toString(), "--dtype", "bf16", "-o", out.toString(), "-q"));
        if (sharded) {
            args.addAll(List.of("--max-shard-size", "64M"));
        }
        Path staging = outDir.resolve("." + out.getFileName() + ".surgeon-tmp");
        Path staged = staging.resolve(sharded ? "model-00002-of-00004.safetensors" : "model.safetensors");
        ChildSurgeon c = ChildSurgeon.start(tmp.resolve("logs"), args.toArray(String[]::new));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(Files.exists(staged) && Files.size(staged) > 0) && c.alive() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(c.alive()).as("surgeon still writing when the signal is sent: %s", c.stderr()).isTrue();
            assertThat(outDir.resolve("." + out.getFileName() + ".surgeon.lock")).exists();
            c.signal(signal);
            assertThat(c.waitFor()).as(c.stderr()).isEqualTo(expected);
            // a signal may print one line (or none); never a stack trace
            assertThat(c.stderr().lines().filter(l -> !l.isBlank()).count()).as(c.stderr()).isLessThanOrEqualTo(1);
            assertThat(c.stderr()).doesNotContain("\tat ", "Exception");
        } finally {
            c.destroy();
        }
        assertThat(TestModels.listing(outDir)).as("no output, staging or lock left").containsExactly("");
        assertThat(FileDigests.sha256(input)).isEqualTo(inputDigest);
    }
}
