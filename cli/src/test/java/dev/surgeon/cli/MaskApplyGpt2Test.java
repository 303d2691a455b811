package dev.surgeon.cli;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.ops.exec.ElementReader;
import dev.surgeon.ops.mask.MaskFile;
import dev.surgeon.ops.mask.Masks;
import dev.surgeon.ops.mask.WeightMask;
import dev.surgeon.ops.runner.Gpt2Runner;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GPT-2 (fused Conv1D c_attn [d, 3d], c_proj [d, d], both [in, out]; 4 heads of 8): zeroing a head
 * zeroes its columns in each of the q, k, v thirds of c_attn (and bias) and its rows of c_proj, and
 * gives the logits of zeroing only those c_proj rows; a zeroed block is an identity; removing heads
 * is refused (exit 3).
 */
class MaskApplyGpt2Test {
    private static final int[][] IDS = {{1, 5, 9, 13, 2, 7, 30, 11}};
    private static final int D = 32;
    private static final int HD = 8;

    @TempDir
    Path tmp;
    private Path model;

    @BeforeEach
    void setUp() {
        model = SynthModels.gpt2(tmp.resolve("g"), 2);
    }

    private Path masks(String file, Map<Integer, boolean[]> heads, boolean[] layers, Map<String, WeightMask> w) {
        Path p = tmp.resolve(file);
        MaskFile.write(p, false, new Masks(new TreeMap<>(w), new TreeMap<>(heads), layers, Map.of("model", "g")));
        return p;
    }

    private CommandRun apply(Path masks, Path out, String... more) {
        String[] base = {"mask", "apply", model.toString(), masks.toString(), "-o", out.toString(), "-q"};
        String[] a = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, a, base.length, more.length);
        return CommandRun.of(a);
    }

    private static float[] logits(Path dir) {
        try (Checkpoint c = Checkpoint.open(dir.toString()); Gpt2Runner r = Gpt2Runner.open(c)) {
            return r.logits(IDS).data().asFloat();
        }
    }

    private static void assertClose(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.length; i++) {
            assertThat((double) a[i]).as("logit " + i).isCloseTo(b[i], Offset.offset(1e-5));
        }
    }

    @Test
    void zeroedHeadIsItsThirdsOfCAttnAndItsRowsOfCProj() {
        Path heads = masks("h.safetensors", Map.of(1, new boolean[] {true, false, true, true}), null, Map.of());
        Path out = tmp.resolve("zero");
        CommandRun r = apply(heads, out);
        assertThat(r.code()).as(r.toString()).isZero();
        byte[] rows = new byte[D * D];
        Arrays.fill(rows, (byte) 1);
        Arrays.fill(rows, HD * D, 2 * HD * D, (byte) 0); // c_proj rows 8..15: head 1's inputs
        Path cproj = masks("w.safetensors", Map.of(), null,
                Map.of("transformer.h.1.attn.c_proj.weight", new WeightMask(new long[] {D, D}, rows)));
        Path ref = tmp.resolve("ref");
        assertThat(apply(cproj, ref).code()).isZero();
        assertClose(logits(out), logits(ref));
        assertThat(logits(out)).isNotEqualTo(logits(model));
        try (Checkpoint o = Checkpoint.open(out.toString()); Checkpoint in = Checkpoint.open(model.toString())) {
            float[] w = ElementReader.readAll(o.tensor("transformer.h.1.attn.c_attn.weight"));
            float[] orig = ElementReader.readAll(in.tensor("transformer.h.1.attn.c_attn.weight"));
            float[] b = ElementReader.readAll(o.tensor("transformer.h.1.attn.c_attn.bias"));
            float[] ob = ElementReader.readAll(in.tensor("transformer.h.1.attn.c_attn.bias"));
            for (int col = 0; col < 3 * D; col++) {
                boolean masked = col % D >= HD && col % D < 2 * HD;
                assertThat(b[col]).isEqualTo(masked ? 0f : ob[col]);
                for (int row = 0; row < D; row++) {
                    assertThat(w[row * 3 * D + col]).isEqualTo(masked ? 0f : orig[row * 3 * D + col]);
                }
            }
        }
    }

    @Test
    void zeroedBlockIsAnIdentity() {
        Path layers = masks("l.safetensors", Map.of(), new boolean[] {false, true}, Map.of());
        Path out = tmp.resolve("zero");
        assertThat(apply(layers, out).code()).isZero();
        float[] skipped;
        try (Checkpoint c = Checkpoint.open(model.toString()); Gpt2Runner run = Gpt2Runner.open(c)) {
            INDArray h = run.embed(IDS);
            skipped = run.head(run.block(1, h)).data().asFloat();
        }
        assertClose(logits(out), skipped);
    }

    @Test
    void removingGpt2HeadsIsRefused() {
        Path heads = masks("h.safetensors", Map.of(0, new boolean[] {true, false, true, true}), null, Map.of());
        Path out = tmp.resolve("rm");
        CommandRun r = apply(heads, out, "--mode", "remove");
        assertThat(r.code()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("GPT-2", "--mode zero");
        assertThat(out).doesNotExist();
    }
}
