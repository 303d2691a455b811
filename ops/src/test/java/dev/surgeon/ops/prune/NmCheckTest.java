package dev.surgeon.ops.prune;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.layers.TensorRole;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.ops.inspect.StatsFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The N:M check of a written output finds the first short group, wherever it is in a tensor read a slab at a time. */
class NmCheckTest {
    @TempDir
    Path tmp;

    private static final String NAME = "model.layers.0.self_attn.q_proj.weight";
    private static final int ROWS = 40_000; // 640,000 values: more than one slab of rows
    private static final int COLS = 16;

    @Test
    void findsTheFirstGroupWithTooFewZerosAndPassesAValidTensor() throws Exception {
        TensorRole role = qProjRole();
        try (Checkpoint good = written(-1); Checkpoint bad = written(ROWS - 3)) {
            assertThat(NmCheck.check(good, List.of(target(good, role)), 2, 4, 2)).isEmpty();
            List<NmCheck.Violation> v = NmCheck.check(bad, List.of(target(bad, role)), 2, 4, 2);
            assertThat(v).containsExactly(new NmCheck.Violation(NAME, ROWS - 3, 8, 1));
            assertThat(NmCheck.check(bad, List.of(target(bad, role)), 1, 4, 2)).as("1:4 holds").isEmpty();
        }
    }

    private static PrunableTensor target(Checkpoint written, TensorRole role) {
        return new PrunableTensor(written.tensor(NAME), role, ROWS, COLS);
    }

    /** The role of a LLaMA q_proj (stored [out, in]), taken from the tiny model's targets. */
    private TensorRole qProjRole() throws Exception {
        try (Checkpoint tiny = Checkpoint.open(TinyLlama.write(tmp.resolve("tiny"), 1).toString())) {
            PrunableTensor q = TinyLlama.targets(tiny).stream().filter(t -> t.name().endsWith("q_proj.weight"))
                    .findFirst().orElseThrow();
            assertThat(q.transposed()).isFalse();
            return q.role();
        }
    }

    /** Every group of four holds two zeros, but for columns 8..11 of {@code shortRow} (one zero); -1: none. */
    private Checkpoint written(int shortRow) throws Exception {
        double[] v = new double[ROWS * COLS];
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 4 < 2 ? 0 : 1 + i % 7;
        }
        if (shortRow >= 0) {
            v[shortRow * COLS + 8] = 3;
        }
        Path f = tmp.resolve("w" + shortRow + ".safetensors");
        StatsFiles.write(f, StatsFiles.tensor(NAME, DType.F32, new long[] {ROWS, COLS}, v));
        return Checkpoint.open(f.toString());
    }
}
