package dev.surgeon.ops.prune;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.ops.exec.ElementReader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Magnitude by a row-local rule (per row, N:M) ranks a tensor stored [out, in] in place, in a
 * decode array longer than the tensor: the same cut as ranking an exact logical copy, on LLaMA
 * weights and on GPT-2's transposed Conv1D weights (which still take the copy).
 */
class MagnitudeRuleTest {
    @ParameterizedTest
    @ValueSource(strings = {"testbed:base", "real:gpt2-tiny-random-lmhead"})
    void inPlaceEqualsTheLogicalCopy(String model) {
        try (Checkpoint c = TinyLlama.openShared(model)) {
            List<PrunableTensor> targets = TinyLlama.targets(c);
            assertThat(targets).isNotEmpty();
            for (PrunableTensor t : targets) {
                for (MaskRule rule : List.of(MaskRule.perRow(0.37), MaskRule.nm(2, 4), MaskRule.nm(1, 8))) {
                    float[] stored = ElementReader.readAll(t.ref());
                    int n = (int) t.numel();
                    float[] expected = stored.clone();
                    PruneMask mask = rule.select(t, t.toLogical(stored.clone()));
                    TensorPruner.applyMask(t, mask, expected);
                    float[] cut = Arrays.copyOf(stored, n + 7);
                    Arrays.fill(cut, n, n + 7, 1e-30f); // beyond the tensor: never ranked, never cut
                    long pruned = TensorPruner.magnitude(rule).prune(t, cut, n);
                    assertThat(pruned).as(t.name()).isEqualTo(mask.count());
                    assertThat(Arrays.copyOf(cut, n)).as(t.name()).isEqualTo(expected);
                    assertThat(Arrays.copyOfRange(cut, n, n + 7)).containsOnly(1e-30f);
                }
            }
        }
    }
}
