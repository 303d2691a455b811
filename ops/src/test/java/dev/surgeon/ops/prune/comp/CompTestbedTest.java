package dev.surgeon.ops.prune.comp;

import dev.surgeon.io.SharedFixtures;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.ops.data.Windows;
import dev.surgeon.ops.runner.LlamaRunner;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * COMP on the shared testbed's {@code base} (6 blocks) at --ratio 0.2, calibrated on 32 windows of
 * 128 bytes from the second half of eval/prose.bin (the first half is left for evaluation):
 * auto tries every whole-block count the budget allows and keeps the lowest calibration NLL; the
 * parameter count lands on the target; mask tuning lowers every tuned block's reconstruction error.
 */
class CompTestbedTest {
    @Test
    void autoPicksTheLowestCalibrationNllAndTuningLowersTheError() throws Exception {
        Path base = SharedFixtures.testbed("base");
        int[] ids = SharedFixtures.testbedCalibrationProse();
        int[][] calib = Windows.calibration(ids, 32, 128, 0).windows();
        try (Checkpoint c = Checkpoint.open(base.toString()); LlamaRunner r = LlamaRunner.open(c)) {
            Comp.Request req = new Comp.Request(0.2, null, false, true, Comp.Score.OBS, false, 1.0, 16);
            Comp.Result res = Comp.run(r, c, calib, req, System.out::println);
            for (Candidate k : res.candidates()) {
                System.out.printf(Locale.ROOT, "testbed comp 0.2: removed %s neurons %d params %d nll %.5f%n",
                        k.removedBlocks(), k.neuronsRemoved(), k.paramsAfter(), k.calibrationNll());
            }
            for (BlockFacts b : res.blocks()) {
                System.out.printf(Locale.ROOT, "testbed comp 0.2: block %d BI %.4f removed %s width %d -> %d error %.4f -> %.4f %s%n",
                        b.block(), b.importance(), b.removed(), b.width(), b.kept(), b.errorBefore(), b.errorAfter(),
                        b.fallback() == null ? "" : b.fallback());
            }
            assertThat(res.candidates().size()).isGreaterThanOrEqualTo(2);
            Candidate chosen = res.candidates().get(res.chosen());
            for (Candidate k : res.candidates()) {
                if (k.ran()) {
                    assertThat(chosen.calibrationNll()).isLessThanOrEqualTo(k.calibrationNll());
                }
            }
            long target = (long) Math.floor(0.2 * res.paramsBefore());
            long removed = res.paramsBefore() - res.paramsAfter();
            // within a few neurons' parameters of the target (3·hidden each)
            assertThat(Math.abs(removed - target)).isLessThanOrEqualTo(6L * 3 * 128);
            for (BlockFacts b : res.blocks()) {
                if (!b.removed() && b.kept() < b.width() && b.fallback() == null) {
                    assertThat(b.errorAfter()).isLessThan(b.errorBefore());
                }
            }
        }
    }
}
