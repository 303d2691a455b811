package dev.surgeon.ops.prune.comp;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.ops.inspect.StatsFiles;
import dev.surgeon.ops.structure.SlicedMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link SlicedMatrix} on tensors larger than one read and one output chunk (2^18 elements). */
class SlicedMatrixTest {
    @TempDir
    Path tmp;

    @Test
    void rowsAndScaledColumnsAcrossManyReadsAndChunks() throws Exception {
        int d = 16;
        int width = 20_000;
        double[] wide = new double[d * width];
        for (int i = 0; i < wide.length; i++) {
            wide[i] = i % 509 - 254; // a period prime to the row lengths
        }
        Path in = StatsFiles.write(tmp.resolve("in.safetensors"),
                StatsFiles.tensor("down", DType.F32, new long[] {d, width}, wide),
                StatsFiles.tensor("up", DType.F32, new long[] {width, d}, wide));
        int[] kept = Edits.pick(width, 15_000, 1); // long runs of consecutive rows, and gaps
        float[] scales = Edits.scales(kept.length, 2);
        Path out;
        try (Checkpoint c = Checkpoint.open(in.toString())) {
            out = StatsFiles.write(tmp.resolve("out.safetensors"),
                    new PlannedTensor("down", DType.F32, new long[] {d, kept.length},
                            new SlicedMatrix(c.tensor("down"), DType.F32, width, SlicedMatrix.allRows(d), kept, scales)),
                    new PlannedTensor("up", DType.BF16, new long[] {kept.length, d},
                            new SlicedMatrix(c.tensor("up"), DType.BF16, d, kept, null, null)));
        }
        try (Checkpoint o = Checkpoint.open(out.toString())) {
            float[] down = Edits.read(o, "down");
            float[] up = Edits.read(o, "up");
            for (int r = 0; r < d; r++) {
                for (int j = 0; j < kept.length; j++) {
                    assertThat(down[r * kept.length + j]).isEqualTo((float) wide[r * width + kept[j]] * scales[j]);
                }
            }
            for (int r = 0; r < kept.length; r++) {
                for (int k = 0; k < d; k++) {
                    // integers below 256 in magnitude are exact in BF16
                    assertThat(up[r * d + k]).isEqualTo((float) wide[kept[r] * d + k]);
                }
            }
        }
    }
}
