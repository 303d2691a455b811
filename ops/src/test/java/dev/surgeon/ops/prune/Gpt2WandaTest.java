package dev.surgeon.ops.prune;

import dev.surgeon.io.SharedFixtures;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.ops.calib.ActivationStats;
import dev.surgeon.ops.calib.Calibrator;
import dev.surgeon.ops.runner.Gpt2Runner;
import dev.surgeon.ops.runner.RandomWeights;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** GPT-2's calibration taps and Wanda on its Conv1D weights (stored [in, out], pruned as [out, in]). */
class Gpt2WandaTest {
    @Test
    void tapsReportEachConv1dInputAndLeaveTheOutputUnchanged() {
        Path dir = SharedFixtures.real("gpt2-tiny-random-lmhead");
        try (Checkpoint c = Checkpoint.open(dir.toString()); Gpt2Runner r = Gpt2Runner.open(c)) {
            INDArray h = r.embed(RandomWeights.ids(1, 2, 5, 1000));
            Map<String, Long> widths = new LinkedHashMap<>();
            INDArray tapped = r.block(1, h, (name, x) -> {
                assertThat(x.size(0)).isEqualTo(10);
                widths.put(name, x.size(1));
            });
            assertThat(widths).containsExactly(Map.entry("transformer.h.1.attn.c_attn", 32L),
                    Map.entry("transformer.h.1.attn.c_proj", 32L), Map.entry("transformer.h.1.mlp.c_fc", 32L),
                    Map.entry("transformer.h.1.mlp.c_proj", 128L));
            assertThat(tapped.dup('c').data().asFloat()).isEqualTo(r.block(1, h).dup('c').data().asFloat());
        }
    }

    @Test
    void wandaPrunesTheLogicalRowsOfConv1dWeights() {
        Path dir = SharedFixtures.real("gpt2-tiny-random-lmhead");
        int[][] w = RandomWeights.ids(2, 4, 6, 1000);
        try (Checkpoint c = Checkpoint.open(dir.toString()); Gpt2Runner r = Gpt2Runner.open(c)) {
            List<PrunableTensor> targets = TinyLlama.targets(c);
            assertThat(targets).hasSize(4 * 5);
            CalibratedPruning.Result res = CalibratedPruning.run(r, c, targets, w, null, new CalibratedPruning.Request(
                    CalibratedPruning.Method.WANDA, 0.5, 0, 0, false, false, null, 2, 0), m -> { });
            ActivationStats dense = Calibrator.run(r, w, 2, null, Map.of(), d -> { });
            for (PrunableTensor t : targets) {
                assertThat(t.transposed()).isTrue();
                PruneMask m = res.masks().get(t.name());
                for (long row = 0; row < t.rows(); row++) {
                    assertThat(m.countRow(row)).isEqualTo(t.cols() / 2);
                }
                if (t.block() == 0) {
                    // by hand: logical (o, i) is stored at i·out + o; score |W|·√Σx_i², lowest half of each row
                    float[] stored = TestWeights.f32(dir.resolve("model.safetensors"), t.name());
                    double[] sq = dense.linear(t.linear()).sqSum();
                    PruneMask expected = new PruneMask(t.rows(), t.cols());
                    for (int o = 0; o < t.rows(); o++) {
                        final int row = o;
                        java.util.stream.IntStream.range(0, (int) t.cols()).boxed()
                                .sorted(java.util.Comparator.<Integer>comparingDouble(i ->
                                        Math.abs(stored[(int) (i * t.rows() + row)]) * Math.sqrt(sq[i])).thenComparingInt(i -> i))
                                .limit(t.cols() / 2).forEach(i -> expected.prune(row, i));
                    }
                    assertThat(m).as(t.name()).isEqualTo(expected);
                }
            }
        }
    }
}
