package dev.surgeon.ops.prune.comp;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.ops.exec.ElementReader;
import dev.surgeon.ops.runner.LlamaRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The LLaMA runner uses the o_proj and gate/up/down_proj biases a checkpoint holds (attention_bias,
 * mlp_bias): the MLP activations it reports equal silu(h·W_gᵀ + b_g)·(h·W_uᵀ + b_u) computed here
 * from its own post-norm input, and dropping the down_proj (or o_proj) bias moves the block's output
 * by exactly that bias on every token.
 */
class RunnerBiasTest {
    @TempDir
    Path tmp;

    @Test
    void mlpAndOutputBiasesAreApplied() {
        Path dir = CompLlama.write(tmp.resolve("m"), CompLlama.Spec.f32(12, 12).withBias().withTied(), 5);
        int d = CompLlama.D;
        int n = 12;
        try (Checkpoint c = Checkpoint.open(dir.toString()); LlamaRunner r = LlamaRunner.open(c)) {
            INDArray hidden = r.embed(new int[][] {{1, 7, 3, 30, 2}, {9, 9, 4, 0, 11}});
            float[][] seen = new float[2][];
            INDArray out = r.block(0, hidden, (linear, x) -> {
                if (linear.endsWith("gate_proj")) {
                    seen[0] = x.dup('c').data().asFloat();
                } else if (linear.endsWith("down_proj")) {
                    seen[1] = x.dup('c').data().asFloat();
                }
            });
            float[] g = ElementReader.readAll(c.tensor("model.layers.0.mlp.gate_proj.weight"));
            float[] u = ElementReader.readAll(c.tensor("model.layers.0.mlp.up_proj.weight"));
            float[] bg = ElementReader.readAll(c.tensor("model.layers.0.mlp.gate_proj.bias"));
            float[] bu = ElementReader.readAll(c.tensor("model.layers.0.mlp.up_proj.bias"));
            int tokens = seen[0].length / d;
            for (int t = 0; t < tokens; t++) {
                for (int j = 0; j < n; j++) {
                    double a = bg[j];
                    double b = bu[j];
                    for (int k = 0; k < d; k++) {
                        a += seen[0][t * d + k] * g[j * d + k];
                        b += seen[0][t * d + k] * u[j * d + k];
                    }
                    double expect = a / (1 + Math.exp(-a)) * b;
                    assertThat((double) seen[1][t * n + j]).isCloseTo(expect, within(1e-5 + 1e-5 * Math.abs(expect)));
                }
            }
            assertBiasShift(r, hidden, out, "model.layers.0.mlp.down_proj.bias", c, tokens);
            // the o_proj bias also feeds the MLP: with the MLP silenced (down_proj and its bias zero) the
            // block's output moves by exactly that bias
            r.override("model.layers.0.mlp.down_proj.weight", new float[d * n]);
            r.override("model.layers.0.mlp.down_proj.bias", new float[d]);
            INDArray attnOnly = r.block(0, hidden);
            assertBiasShift(r, hidden, attnOnly, "model.layers.0.self_attn.o_proj.bias", c, tokens);
        }
    }

    @Test
    void theCachedDecoderUsesTheBiasesToo() {
        Path dir = CompLlama.write(tmp.resolve("d"), CompLlama.Spec.f32(12, 12).withBias().withTied(), 6);
        int[][] ids = {{1, 7, 3, 30, 2}, {9, 9, 4, 0, 11}};
        int v = CompLlama.V;
        try (Checkpoint c = Checkpoint.open(dir.toString()); LlamaRunner r = LlamaRunner.open(c)) {
            float[] full = r.logits(ids).dup('c').data().asFloat();
            try (dev.surgeon.ops.runner.Decoder dec = r.decoder(2, 5)) {
                for (int p = 0; p < 5; p++) {
                    float[] step = dec.step(new int[] {ids[0][p], ids[1][p]});
                    for (int i = 0; i < 2; i++) {
                        for (int k = 0; k < v; k++) {
                            assertThat((double) step[i * v + k]).isCloseTo(full[(i * 5 + p) * v + k], within(1e-5));
                        }
                    }
                }
            }
        }
    }

    /** Dropping {@code bias} (setting it to 0) moves the block's output {@code with} by the bias on every token. */
    private static void assertBiasShift(LlamaRunner r, INDArray hidden, INDArray with, String bias, Checkpoint c, int tokens) {
        int d = CompLlama.D;
        float[] v = ElementReader.readAll(c.tensor(bias));
        r.override(bias, new float[d]);
        INDArray without = r.block(0, hidden);
        r.override(bias, null);
        INDArray diff = with.sub(without).reshape(tokens, d);
        INDArray expect = Nd4j.create(v, new long[] {1, d}).repeat(0, tokens);
        assertThat(diff.sub(expect).amaxNumber().doubleValue()).as(bias).isLessThan(1e-5);
    }
}
