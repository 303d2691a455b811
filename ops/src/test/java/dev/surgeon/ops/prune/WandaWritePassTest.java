package dev.surgeon.ops.prune;

import dev.surgeon.io.SharedFixtures;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.ops.exec.ElementReader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One-shot Wanda cut in the write pass ({@link Wanda.InWritePass}) zeroes exactly what the mask
 * pass's masks zero, for every rule, on LLaMA weights (stored [out, in]) and GPT-2's Conv1D weights
 * (stored [in, out]).
 */
class WandaWritePassTest {
    @ParameterizedTest
    @ValueSource(strings = {"testbed:base", "real:gpt2-tiny-random-lmhead"})
    void theWritePassCutEqualsTheMaskPassCut(String model) {
        String[] where = model.split(":");
        var dir = where[0].equals("testbed") ? SharedFixtures.testbed(where[1]) : SharedFixtures.real(where[1]);
        try (Checkpoint c = Checkpoint.open(dir.toString())) {
            List<PrunableTensor> targets = TinyLlama.targets(c);
            assertThat(targets).isNotEmpty();
            Random random = new Random(7);
            for (PrunableTensor t : targets) {
                double[] sq = new double[(int) t.cols()];
                for (int j = 0; j < sq.length; j++) {
                    sq[j] = random.nextDouble() * 4;
                }
                for (MaskRule rule : List.of(MaskRule.perRow(0.5), MaskRule.perMatrix(0.3), MaskRule.nm(2, 4))) {
                    float[] stored = ElementReader.readAll(t.ref());
                    int n = (int) t.numel();
                    float[] expected = stored.clone();
                    PruneMask mask = Wanda.mask(t, sq, rule);
                    TensorPruner.applyMask(t, mask, expected);
                    float[] cut = java.util.Arrays.copyOf(stored, n + 5); // the write pass's arrays may be longer
                    long pruned = new Wanda.InWritePass(name -> sq, x -> rule).prune(t, cut, n);
                    assertThat(pruned).as(t.name()).isEqualTo(mask.count());
                    assertThat(java.util.Arrays.copyOf(cut, n)).as(t.name()).containsExactly(expected);
                    assertThat(t.transposed()).isEqualTo(where[0].equals("real"));
                }
            }
        }
    }
}
