package dev.surgeon.ops.prune;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.ops.calib.ActivationStats;
import dev.surgeon.ops.calib.Calibrator;
import dev.surgeon.ops.runner.LlamaRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** ECoFLaP end to end on a tiny model: each block prunes exactly its allocation, rows within one. */
class EcoflapTest {
    @TempDir
    Path tmp;

    private static void assertRowsWithinOne(PrunableTensor t, PruneMask m, double s) {
        long base = (long) Math.floor(t.cols() * s + 1e-9);
        for (long r = 0; r < t.rows(); r++) {
            assertThat(m.countRow(r)).as(t.name() + " row " + r).isBetween(Math.max(0, base - 1), base + 1);
        }
    }

    @Test
    void blocksPruneExactlyTheirAllocation() throws Exception {
        Path model = TinyLlama.write(tmp.resolve("m"), 8);
        int[][] calib = TinyLlama.windows(1, 6, 8);
        int[][] zo = TinyLlama.windows(2, 16, 9);
        double ratio = 0.5;
        try (Checkpoint c = Checkpoint.open(model.toString()); LlamaRunner r = LlamaRunner.open(c)) {
            List<PrunableTensor> targets = TinyLlama.targets(c);
            CalibratedPruning.Request req = new CalibratedPruning.Request(CalibratedPruning.Method.ECOFLAP, ratio, 0, 0,
                    false, false, null, 3, 0);
            CalibratedPruning.Result res = CalibratedPruning.run(r, c, targets, calib, zo, req, m -> { });
            // the same scores by hand, the allocation, and the counts
            double[] s = ZerothOrder.scores(r, targets, zo, ZerothOrder.BATCH, 0, ZerothOrder.EPSILON, m -> { });
            long[] sizes = new long[TinyLlama.L];
            double[] scores = new double[TinyLlama.L];
            for (int i = 0; i < targets.size(); i++) {
                sizes[targets.get(i).block()] += targets.get(i).numel();
                scores[targets.get(i).block()] += s[i];
            }
            long[] keep = Allocation.keep(sizes, scores, ratio);
            long total = 0;
            long pruned = 0;
            assertThat(res.blocks()).hasSize(TinyLlama.L);
            for (CalibratedPruning.BlockResult b : res.blocks()) {
                int g = b.block();
                assertThat(b.weights()).isEqualTo(sizes[g]);
                assertThat(b.score()).isEqualTo(scores[g]);
                assertThat(b.pruned()).isEqualTo(sizes[g] - keep[g]);
                assertThat(b.sparsity()).isEqualTo(Allocation.sparsity(keep[g], sizes[g]));
                long maskTotal = 0;
                for (PrunableTensor t : targets) {
                    if (t.block() == g) {
                        maskTotal += res.masks().get(t.name()).count();
                        assertRowsWithinOne(t, res.masks().get(t.name()), b.sparsity());
                    }
                }
                assertThat(maskTotal).isEqualTo(b.pruned());
                total += b.weights();
                pruned += b.pruned();
            }
            assertThat(total - pruned).isEqualTo((long) Math.floor(total * (1 - ratio)));
        }
    }

    @Test
    void sparsityFileSkipsStageOneAndWorksFromStats() throws Exception {
        Path model = TinyLlama.write(tmp.resolve("m"), 8);
        Path file = Files.writeString(tmp.resolve("s.yaml"), "0: 0.3\nmodel.layers.1.mlp.down_proj.weight: 0.8\n");
        int[][] calib = TinyLlama.windows(1, 6, 8);
        try (Checkpoint c = Checkpoint.open(model.toString()); LlamaRunner r = LlamaRunner.open(c)) {
            List<PrunableTensor> targets = TinyLlama.targets(c);
            CalibratedPruning.Request req = new CalibratedPruning.Request(CalibratedPruning.Method.ECOFLAP, 0.5, 0, 0,
                    false, true, file, 3, 0);
            CalibratedPruning.Result res = CalibratedPruning.run(r, c, targets, calib, null, req, m -> { });
            Map<Integer, CalibratedPruning.BlockResult> byBlock = new java.util.TreeMap<>();
            res.blocks().forEach(b -> byBlock.put(b.block(), b));
            assertThat(byBlock.get(0).pruned()).isEqualTo((long) Math.floor(1920 * 0.3));
            assertThat(byBlock.get(0).score()).isNaN();
            // block 1: down_proj ⌊384·0.8⌋ = 307 on its own, the other 1536 weights at the ratio: 768
            assertThat(res.masks().get("model.layers.1.mlp.down_proj.weight").count()).isEqualTo(307);
            assertThat(byBlock.get(1).pruned()).isEqualTo(307 + 768);
            assertThat(byBlock.get(2).pruned()).isEqualTo(960);
            ActivationStats stats = Calibrator.run(r, calib, 3, null, Map.of(), d -> { });
            CalibratedPruning.Result viaStats = CalibratedPruning.fromStats(c, targets, stats, req);
            assertThat(viaStats.masks()).isEqualTo(res.masks());
        }
    }
}
