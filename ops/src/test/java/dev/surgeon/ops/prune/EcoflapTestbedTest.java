package dev.surgeon.ops.prune;

import dev.surgeon.io.SharedFixtures;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.ops.data.Windows;
import dev.surgeon.ops.runner.LlamaRunner;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ECoFLaP on the shared testbed's {@code base} (6 blocks) at S = 0.6: the per-block sparsities
 * differ. The testbed names no calibration split, so calibration uses the second half of
 * eval/prose.bin (bytes 32768..65535) and perplexity comparisons should use the first half: stage 1
 * on 32 windows of 64 + 1 bytes, stage 2 on 32 windows of 64, seeded offsets (seed 0).
 */
class EcoflapTestbedTest {
    @Test
    void blockSparsitiesAreNonUniformAtSixtyPercent() throws Exception {
        Path base = SharedFixtures.testbed("base");
        double ratio = 0.6;
        try (Checkpoint c = Checkpoint.open(base.toString()); LlamaRunner r = LlamaRunner.open(c)) {
            List<PrunableTensor> targets = TinyLlama.targets(c);
            int[] ids = SharedFixtures.testbedCalibrationProse();
            int[][] zo = Windows.calibration(ids, 32, 65, 0).windows();
            int[][] calib = Windows.calibration(ids, 32, 64, 0).windows();
            CalibratedPruning.Request req = new CalibratedPruning.Request(CalibratedPruning.Method.ECOFLAP, ratio, 0, 0,
                    false, false, null, 8, 0);
            CalibratedPruning.Result res = CalibratedPruning.run(r, c, targets, calib, zo, req, System.out::println);
            long total = 0;
            long pruned = 0;
            double min = 1;
            double max = 0;
            for (CalibratedPruning.BlockResult b : res.blocks()) {
                System.out.printf(Locale.ROOT, "testbed ecoflap S=0.6: block %d  n=%d  pruned=%d  score=%.4f  "
                        + "sparsity=%.4f%n", b.block(), b.weights(), b.pruned(), b.score(), b.sparsity());
                total += b.weights();
                pruned += b.pruned();
                min = Math.min(min, b.sparsity());
                max = Math.max(max, b.sparsity());
                assertThat(b.sparsity()).isBetween(0.0, 0.7 + 1e-12);
            }
            assertThat(res.blocks()).hasSize(6);
            assertThat(total - pruned).isEqualTo((long) Math.floor(total * (1 - ratio)));
            assertThat(max - min).as("per-block sparsities differ").isGreaterThan(0.02);
        }
    }
}
