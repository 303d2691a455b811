package dev.surgeon.cli;

import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.SafetensorsWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM and SIGINT in the middle of a write: the run exits 143 / 130, no output and no staging
 * or lock file is left, and the input is unchanged. Runs surgeon in a child JVM.
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
        inputDigest = digest(input);
    }

    @Test
    void sigtermMidWriteExits143AndLeavesNothing() throws Exception {
        check("TERM", ExitCodes.SIGTERM);
    }

    @Test
    void sigintMidWriteExits130AndLeavesNothing() throws Exception {
        check("INT", ExitCodes.SIGINT);
    }

    private void check(String signal, int expected) throws Exception {
        Path outDir = Files.createDirectories(tmp.resolve("out-" + signal));
        Path out = outDir.resolve("model");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.surgeon.cli.Main",
                "convert", input.toString(), "--dtype", "bf16", "-o", out.toString(), "-q")
                .redirectErrorStream(true).redirectOutput(outDir.resolve("../log-" + signal).toFile()).start();
        Path staged = outDir.resolve(".model.surgeon-tmp").resolve("model.safetensors");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(staged) && Files.size(staged) > 0) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(p.isAlive()).as("surgeon still writing when the signal is sent").isTrue();
        new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(expected);
        assertThat(TestModels.listing(outDir)).containsExactly("");
        assertThat(digest(input)).isEqualTo(inputDigest);
    }

    private static String digest(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 20];
            int r;
            while ((r = in.read(buf)) > 0) {
                md.update(buf, 0, r);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
