package dev.surgeon.cli;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.ops.exec.MemoryBudget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streaming executor end to end, on a model whose tensors span several chunks (1,572,864
 * elements: two cast chunks, two copy reads in F32): the bytes do not depend on --threads, and
 * --memory-budget bounds the pruned tensors held at once without changing them.
 */
class StreamingExecutorTest {
    @TempDir
    Path tmp;

    @AfterEach
    void restoreBudget() {
        MemoryBudget.configure(MemoryBudget.defaultBytes());
    }

    private Path model(DType dtype) {
        Path m = tmp.resolve("m-" + dtype);
        assertThat(Main.run("synth", "--layers", "1", "--hidden", "1024", "--intermediate", "1536", "--heads", "8",
                "--vocab", "256", "--dtype", dtype.name().toLowerCase(), "--seed", "5", "-q", "-o", m.toString())).isZero();
        return m;
    }

    @Test
    void castAndCopyGiveTheSameBytesOnOneOrManyThreadsAndCastRoundsToNearestEven() throws Exception {
        Path in = model(DType.F32);
        for (String threads : new String[] {"1", "3"}) {
            assertThat(Main.run("convert", in.toString(), "--dtype", "bf16", "--threads", threads, "-q",
                    "-o", tmp.resolve("bf16-" + threads).toString())).isZero();
            assertThat(Main.run("convert", in.toString(), "--threads", threads, "-q",
                    "-o", tmp.resolve("copy-" + threads).toString())).isZero();
        }
        assertThat(Files.readAllBytes(tmp.resolve("bf16-3/model.safetensors")))
                .isEqualTo(Files.readAllBytes(tmp.resolve("bf16-1/model.safetensors")));
        assertThat(TestModels.dataSection(tmp.resolve("copy-3/model.safetensors")))
                .isEqualTo(TestModels.dataSection(in.resolve("model.safetensors")));
        try (Checkpoint a = Checkpoint.open(in.toString()); Checkpoint b = Checkpoint.open(tmp.resolve("bf16-3").toString())) {
            TensorRef ra = a.tensor("model.layers.0.mlp.down_proj.weight");
            TensorRef rb = b.tensor(ra.name());
            assertThat(ra.info().numel()).isEqualTo(1024 * 1536);
            ByteBuffer fa = ra.file().readAll(ra.info());
            ByteBuffer fb = rb.file().readAll(rb.info());
            while (fa.hasRemaining()) {
                assertThat(fb.getShort()).isEqualTo(TestModels.bf16(fa.getFloat()));
            }
        }
    }

    @Test
    void aSmallMemoryBudgetHoldsOnePrunedTensorAtATimeAndChangesNoByte() throws Exception {
        Path in = model(DType.BF16);
        Path free = tmp.resolve("free.safetensors");
        Path tight = tmp.resolve("tight.safetensors");
        // cast to F32: each pruned matrix is then held in F32 with its output buffer while it is cut
        assertThat(Main.run("prune", in.toString(), "--method", "magnitude", "--ratio", "0.5", "--threads", "3", "-q",
                "--dtype", "f32", "-o", free.toString())).isZero();
        long roomy = MemoryBudget.peak();
        assertThat(Main.run("prune", in.toString(), "--method", "magnitude", "--ratio", "0.5", "--threads", "3",
                "--dtype", "f32", "--memory-budget", "16M", "-q", "-o", tight.toString())).isZero();
        // an MLP matrix holds 1,572,864 × (4 + 4) bytes = 12 MiB while it is cut: no second one fits in 16 MiB
        assertThat(MemoryBudget.peak()).isLessThanOrEqualTo(16L << 20).isGreaterThanOrEqualTo(12L << 20);
        assertThat(roomy).as("with room, three are cut at once").isGreaterThan(16L << 20);
        assertThat(MemoryBudget.held()).isZero();
        assertThat(Files.readAllBytes(tight)).isEqualTo(Files.readAllBytes(free));
    }

    @Test
    void aBudgetThatIsNotASizeOrTooSmallIsAUsageError() {
        Path in = model(DType.BF16);
        CommandRun bad = CommandRun.of("convert", in.toString(), "--memory-budget", "lots", "-o", tmp.resolve("x").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("'lots' is not a size");
        CommandRun small = CommandRun.of("prune", in.toString(), "--method", "magnitude", "--ratio", "0.5", "--memory-budget", "1M",
                "-o", tmp.resolve("y").toString());
        assertThat(small.code()).isEqualTo(2);
        assertThat(small.err()).contains("--memory-budget must be at least 16.0 MiB, not 1M");
        assertThat(tmp.resolve("x")).doesNotExist();
        assertThat(tmp.resolve("y")).doesNotExist();
    }
}
