package dev.surgeon.ops.prune.comp;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.ops.runner.LlamaRunner;
import dev.surgeon.ops.runner.RandomWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The written model computes what the edit means: the original model run block by block, skipping
 * the removed blocks, with dropped neurons' gate/up rows zeroed and kept down_proj columns scaled
 * (through {@code runner.override}), gives the written model's logits.
 */
class StructuredPlanRunnerTest {
    @TempDir
    Path tmp;

    @Test
    void writtenModelMatchesMaskedOriginalWithBlocksSkipped() {
        int w = 24;
        Path in = CompLlama.write(tmp.resolve("in"), CompLlama.Spec.f32(w, w, w, w, w), 11);
        Map<Integer, BlockNeurons> neurons = Map.of(1, Edits.scaled(w, 13, 1), 3, Edits.scaled(w, 7, 2));
        StructuredEdit edit = Edits.edit(5, new int[] {2}, neurons);
        Path out = tmp.resolve("out");
        StructuredPlan plan = CompLlama.prune(in, edit, null, out, 0);
        assertThat(plan.widths()).containsExactly(w, 13, 7, w);

        int[][] ids = RandomWeights.ids(5, 2, 9, CompLlama.V);
        float[] expected;
        try (Checkpoint c = Checkpoint.open(in.toString()); LlamaRunner r = LlamaRunner.open(c)) {
            neurons.forEach((b, n) -> mask(c, r, b, n, w));
            INDArray h = r.embed(ids);
            for (int b : edit.keptBlocks()) {
                h = r.block(b, h);
            }
            expected = r.head(h).dup('c').data().asFloat();
        }
        float[] actual;
        try (Checkpoint c = Checkpoint.open(out.toString()); LlamaRunner r = LlamaRunner.open(c)) {
            assertThat(r.blockCount()).isEqualTo(4);
            actual = r.logits(ids).dup('c').data().asFloat();
        }
        assertThat(actual).hasSameSizeAs(expected);
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            max = Math.max(max, Math.abs(actual[i] - expected[i]));
        }
        assertThat(max).isLessThanOrEqualTo(1e-5);
    }

    /** Zeroes the dropped neurons' gate/up rows and scales the kept down columns of block b, in place of the checkpoint's. */
    private static void mask(Checkpoint c, LlamaRunner r, int b, BlockNeurons n, int width) {
        String p = "model.layers." + b + ".mlp.";
        boolean[] keep = new boolean[width];
        float[] scale = new float[width];
        int[] kept = n.kept();
        for (int j = 0; j < kept.length; j++) {
            keep[kept[j]] = true;
            scale[kept[j]] = n.scale(j);
        }
        for (String proj : new String[] {"gate_proj", "up_proj"}) {
            float[] v = Edits.read(c, p + proj + ".weight");
            int d = v.length / width;
            for (int row = 0; row < width; row++) {
                if (!keep[row]) {
                    java.util.Arrays.fill(v, row * d, (row + 1) * d, 0f);
                }
            }
            r.override(p + proj + ".weight", v);
        }
        float[] down = Edits.read(c, p + "down_proj.weight");
        for (int i = 0; i < down.length; i++) {
            down[i] *= scale[i % width]; // 0 for a dropped column
        }
        r.override(p + "down_proj.weight", down);
    }
}
