package dev.surgeon.ops.prune;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.ops.exec.ElementReader;
import dev.surgeon.ops.runner.LlamaRunner;
import dev.surgeon.ops.runner.Perplexity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** ECoFLaP stage 1 on a tiny model: finite-difference agreement, exact restore, seeded draws. */
class ZerothOrderTest {
    @TempDir
    Path tmp;

    private static PrunableTensor find(List<PrunableTensor> ts, String name) {
        return ts.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    /** (L(W + hz) − L(W − hz)) / 2h through the whole model (no cached hidden state), by Perplexity. */
    private static double fullDifference(LlamaRunner r, PrunableTensor t, float[] w, float[] z, double h, int[][] win) {
        float[] p = new float[w.length];
        float[] m = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            p[i] = (float) (w[i] + h * z[i]);
            m[i] = (float) (w[i] - h * z[i]);
        }
        r.override(t.name(), p);
        double lp = Perplexity.evaluate(r, win, win.length, d -> { }).meanNll();
        r.override(t.name(), m);
        double lm = Perplexity.evaluate(r, win, win.length, d -> { }).meanNll();
        r.override(t.name(), null);
        return (lp - lm) / (2 * h);
    }

    @Test
    void estimateAgreesWithFiniteDifferencesAndRestoresExactly() throws Exception {
        Path m = TinyLlama.write(tmp.resolve("m"), 5);
        int[][] win = TinyLlama.windows(9, 8, 10); // 8 windows of T + 1 = 10 tokens
        try (Checkpoint c = Checkpoint.open(m.toString()); LlamaRunner r = LlamaRunner.open(c)) {
            List<PrunableTensor> ts = TinyLlama.targets(c);
            for (String name : List.of("model.layers.1.mlp.up_proj.weight", "model.layers.2.self_attn.k_proj.weight")) {
                PrunableTensor t = find(ts, name);
                float[] w = ElementReader.readAll(t.ref());
                float[] z = ZerothOrder.direction(0, ts.indexOf(t), 0, w.length);
                INDArray h = r.embed(ZerothOrder.inputs(win));
                for (int i = 0; i < t.block(); i++) {
                    h = r.block(i, h);
                }
                double before = ZerothOrder.loss(r, h, t.block(), win);
                double g = ZerothOrder.estimate(r, t.name(), w, z, ZerothOrder.EPSILON, h, t.block(), win);
                // restored exactly: the same loss to the last bit
                assertThat(ZerothOrder.loss(r, h, t.block(), win)).isEqualTo(before);
                assertThat(Perplexity.evaluate(r, win, 8, d -> { }).meanNll()).isEqualTo(before);
                double small = fullDifference(r, t, w, z, 3e-4, win);
                double large = fullDifference(r, t, w, z, 1e-2, win);
                System.out.printf("%s: ĝ(ε=1e-3) = %.6f, h=3e-4: %.6f, h=1e-2: %.6f%n", name, g, small, large);
                assertThat(Math.abs(g)).as("a real directional derivative").isGreaterThan(1e-3);
                assertThat(Math.abs(g - large)).isLessThanOrEqualTo(0.02 * Math.abs(large) + 1e-3);
                assertThat(Math.abs(g - small)).isLessThanOrEqualTo(0.05 * Math.abs(large) + 2e-3);
            }
        }
    }

    @Test
    void scoresAreSeededSumsOfAbsoluteEstimates() throws Exception {
        Path m = TinyLlama.write(tmp.resolve("m"), 6);
        int[][] win = TinyLlama.windows(3, 10, 7); // batches of 4: 4, 4, 2
        try (Checkpoint c = Checkpoint.open(m.toString()); LlamaRunner r = LlamaRunner.open(c)) {
            List<PrunableTensor> ts = TinyLlama.targets(c);
            double[] s = ZerothOrder.scores(r, ts, win, 4, 42, ZerothOrder.EPSILON, x -> { });
            double[] again = ZerothOrder.scores(r, ts, win, 4, 42, ZerothOrder.EPSILON, x -> { });
            double[] other = ZerothOrder.scores(r, ts, win, 4, 43, ZerothOrder.EPSILON, x -> { });
            assertThat(again).isEqualTo(s);
            assertThat(other).isNotEqualTo(s);
            for (double v : s) {
                assertThat(v).isPositive().isFinite();
            }
            // tensor 9 (block 1) by hand: Σ over the three batches of |ĝ| with its own draws
            int idx = 9;
            PrunableTensor t = ts.get(idx);
            assertThat(t.block()).isEqualTo(1);
            float[] w = ElementReader.readAll(t.ref());
            double expected = 0;
            for (int b = 0; b < 3; b++) {
                int[][] batch = java.util.Arrays.copyOfRange(win, 4 * b, Math.min(win.length, 4 * b + 4));
                INDArray h = r.block(0, r.embed(ZerothOrder.inputs(batch)));
                expected += Math.abs(ZerothOrder.estimate(r, t.name(), w, ZerothOrder.direction(42, idx, b, w.length),
                        ZerothOrder.EPSILON, h, 1, batch));
            }
            assertThat(s[idx]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-9 * expected));
        }
        // draws depend only on (seed, tensor, batch)
        assertThat(ZerothOrder.direction(1, 2, 3, 50)).isEqualTo(ZerothOrder.direction(1, 2, 3, 50))
                .isNotEqualTo(ZerothOrder.direction(1, 3, 2, 50));
    }
}
