package dev.surgeon.ops.mask;

import dev.surgeon.io.SharedFixtures;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.ops.data.Windows;
import dev.surgeon.ops.exec.ElementReader;
import dev.surgeon.ops.runner.LlamaRunner;
import dev.surgeon.ops.runner.Perplexity;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GTSP heads on the shared testbed's {@code base} (6 blocks, 2 KV groups of 2 query heads each):
 * removing half of the KV groups of every block by ablation importance (calibrated on the second
 * half of eval/prose.bin, 32 windows of 128) costs less held-out prose NLL (first half, T = 128)
 * than removing random groups, averaged over 8 seeds. A group is removed by zeroing its query
 * heads' o_proj columns, which gives the logits of removal (mask apply's tests show that).
 */
class HeadAblationTestbedTest {
    @Test
    void ablationBeatsRandomGroupsAtHalfTheGroups() throws Exception {
        Path base = SharedFixtures.testbed("base");
        int[] calibIds = SharedFixtures.testbedCalibrationProse();
        byte[] prose = Files.readAllBytes(SharedFixtures.testbed("eval/prose.bin"));
        int[] evalIds = new int[prose.length / 2];
        for (int i = 0; i < evalIds.length; i++) {
            evalIds[i] = prose[i] & 0xff;
        }
        int[][] calib = Windows.calibration(calibIds, 32, 128, 0).windows();
        int[][] eval = Windows.evaluation(evalIds, 128);
        try (Checkpoint c = Checkpoint.open(base.toString()); LlamaRunner r = LlamaRunner.open(c)) {
            BlockAttention[] att = AttentionLayout.of(c, new LayerMap(c.names(), c.config()));
            double[][] ablation = HeadScores.ablation(r, c, att, calib, 16, m -> { });
            double[][] dataFree = HeadScores.dataFree(c, att);
            double dense = nll(r, eval);
            double byAblation = nllKeeping(r, c, att, eval, keepBest(ablation));
            double byDataFree = nllKeeping(r, c, att, eval, keepBest(dataFree));
            double randomSum = 0;
            int seeds = 8;
            StringBuilder each = new StringBuilder();
            for (int seed = 0; seed < seeds; seed++) {
                Random rnd = new Random(seed);
                int[] keep = new int[att.length];
                for (int b = 0; b < keep.length; b++) {
                    keep[b] = rnd.nextInt(att[b].kvHeads());
                }
                double v = nllKeeping(r, c, att, eval, keep);
                randomSum += v;
                each.append(String.format(Locale.ROOT, " %.4f", v));
            }
            double random = randomSum / seeds;
            System.out.printf(Locale.ROOT, "testbed heads 0.5: dense %.4f, ablation %.4f, data-free %.4f, random mean %.4f (%s)%n",
                    dense, byAblation, byDataFree, random, each.toString().trim());
            assertThat(byAblation).isLessThan(random);

            // the ablation masks written both ways give the same logits through the runner
            java.util.TreeMap<Integer, boolean[]> heads = new java.util.TreeMap<>();
            for (int b = 0; b < att.length; b++) {
                heads.put(b, HeadScores.keep(ablation[b], 1, att[b].groupSize()));
            }
            Masks masks = new Masks(null, heads, null, java.util.Map.of("model", "base", "method", "test"));
            Path zero = materialise(c, masks, MaskMode.ZERO);
            Path removed = materialise(c, masks, MaskMode.REMOVE);
            int[][] ids = java.util.Arrays.copyOfRange(eval, 0, 4);
            try (Checkpoint cz = Checkpoint.open(zero.toString()); LlamaRunner rz = LlamaRunner.open(cz);
                 Checkpoint cr = Checkpoint.open(removed.toString()); LlamaRunner rr = LlamaRunner.open(cr)) {
                assertThat(rr.config().numKvHeads()).isEqualTo(1);
                assertThat(rr.config().numHeads()).isEqualTo(2);
                float[] a = rz.logits(ids).dup('c').data().asFloat();
                float[] b = rr.logits(ids).dup('c').data().asFloat();
                double max = 0;
                for (int i = 0; i < a.length; i++) {
                    max = Math.max(max, Math.abs(a[i] - b[i]));
                }
                System.out.printf(Locale.ROOT, "testbed heads 0.5: zero vs remove max |logit difference| %.3g%n", max);
                assertThat(max).isLessThan(1e-4);
            }
        }
    }

    @org.junit.jupiter.api.io.TempDir
    Path tmp;

    /** The model with {@code masks} applied in {@code mode}, written to a folder. */
    private Path materialise(Checkpoint c, Masks masks, MaskMode mode) {
        LayerMap map = new LayerMap(c.names(), c.config());
        MaskPlan plan = MaskPlan.build(c, map, masks, MaskFit.of(masks, c, map), mode, false, null);
        Path out = tmp.resolve(mode.name().toLowerCase(Locale.ROOT));
        try (dev.surgeon.io.write.AtomicOutput o = dev.surgeon.io.write.AtomicOutput.begin(out, false)) {
            dev.surgeon.io.write.CheckpointWriter.write(o, plan.tensors(),
                    new dev.surgeon.io.write.CheckpointWriter.Options(java.util.Map.of("format", "pt"), 0, c.sideFiles(),
                            plan.config()));
            o.commit();
        }
        return out;
    }

    /** The best group of each block (one of two kept: density 0.5). */
    private static int[] keepBest(double[][] scores) {
        int[] keep = new int[scores.length];
        for (int b = 0; b < scores.length; b++) {
            boolean[] heads = HeadScores.keep(scores[b], 1, 1);
            for (int g = 0; g < heads.length; g++) {
                if (heads[g]) {
                    keep[b] = g;
                }
            }
        }
        return keep;
    }

    /** NLL on the evaluation windows with only group keep[b] of each block left. */
    private static double nllKeeping(LlamaRunner r, Checkpoint c, BlockAttention[] att, int[][] eval, int[] keep) {
        for (int b = 0; b < att.length; b++) {
            float[] o = ElementReader.readAll(c.tensor(att[b].o()));
            long cols = c.tensor(att[b].o()).info().dim(1);
            for (int g = 0; g < att[b].kvHeads(); g++) {
                if (g != keep[b]) {
                    o = HeadScores.zeroGroup(o, cols, att[b], g);
                }
            }
            r.override(att[b].o(), o);
        }
        try {
            return nll(r, eval);
        } finally {
            for (BlockAttention a : att) {
                r.override(a.o(), null);
            }
        }
    }

    private static double nll(LlamaRunner r, int[][] eval) {
        return Perplexity.evaluate(r, eval, 32, d -> { }).meanNll();
    }
}
