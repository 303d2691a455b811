package dev.surgeon.ops.runner;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.SharedFixtures;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The runner against logits that transformers computed for the shared testbed's base model. */
class LlamaRunnerReferenceTest {

    static float[] values(Checkpoint c, String name) {
        TensorRef t = c.tensor(name);
        ByteBuffer b = t.file().readAll(t.info());
        float[] out = new float[(int) t.info().numel()];
        ElementCodec.decode(t.info().dtype(), b, out, 0, out.length);
        return out;
    }

    @Test
    void baseMatchesReferenceLogits() {
        Path ref = SharedFixtures.testbed("reference.safetensors");
        Path base = SharedFixtures.testbed("base");
        try (Checkpoint r = Checkpoint.open(ref.toString()); Checkpoint m = Checkpoint.open(base.toString());
             LlamaRunner runner = LlamaRunner.open(m)) {
            long[] idShape = r.tensor("input_ids").info().shape();
            long[] logitShape = r.tensor("logits").info().shape();
            assertThat(idShape).containsExactly(2, 64);
            assertThat(logitShape).containsExactly(2, 64, 256);
            float[] idf = values(r, "input_ids");
            float[] expected = values(r, "logits");
            int b = (int) idShape[0];
            int t = (int) idShape[1];
            int[][] ids = new int[b][t];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < t; j++) {
                    ids[i][j] = (int) idf[i * t + j];
                    assertThat((float) ids[i][j]).isEqualTo(idf[i * t + j]);
                }
            }
            INDArray logits = runner.logits(ids);
            assertThat(logits.shape()).containsExactly(2, 64, 256);
            float[] got = logits.data().asFloat();
            double maxErr = 0;
            for (int i = 0; i < expected.length; i++) {
                maxErr = Math.max(maxErr, Math.abs((double) got[i] - expected[i]));
            }
            System.out.printf("testbed base vs reference logits: max |error| = %.3e%n", maxErr);
            assertThat(maxErr).isLessThanOrEqualTo(1e-4);
        }
    }
}
