package dev.surgeon.ops.prune;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Magnitude pruning through {@link PrunePlan}, written to real files and read back. */
class PrunePlanTest {
    @TempDir
    Path tmp;

    private static final String A = "model.layers.0.self_attn.q_proj.weight";
    private static final String B = "model.layers.0.self_attn.k_proj.weight";
    private static final String C = "model.layers.1.mlp.down_proj.weight";

    @Test
    void globalCountIsExactAndTiesGoInModelOrderThenFlatIndex() throws IOException {
        Path in = write(tmp.resolve("in.safetensors"), List.of(
                f32(A, 2, 4, 1, 1, 1, 1, 1, 1, 1, 1),
                f32(B, 2, 4, 0.5f, -1, 1, 2, 3, 1, -0.25f, 4),
                f32(C, 2, 2, 9, 8, 7, 1)));
        // 20 weights, S = 0.5: 10 pruned = 0.25, 0.5 and eight of the twelve |1|s: all of A's, none of B's or C's
        Map<String, PruneFacts> facts = prune(in, tmp.resolve("out.safetensors"), Magnitude.Group.GLOBAL, 0.5);
        assertThat(TestWeights.f32(tmp.resolve("out.safetensors"), A)).containsOnly(0f);
        assertThat(TestWeights.f32(tmp.resolve("out.safetensors"), B)).containsExactly(0, -1, 1, 2, 3, 1, 0, 4);
        assertThat(TestWeights.f32(tmp.resolve("out.safetensors"), C)).containsExactly(9, 8, 7, 1);
        assertThat(facts.values().stream().mapToLong(PruneFacts::pruned).sum()).isEqualTo(10);
        assertThat(facts.get(A).zeros()).isEqualTo(8);

        // S = 0.35: 7 pruned: 0.25, 0.5, then five 1s, all from A (A precedes B), lowest flat index first
        prune(in, tmp.resolve("out2.safetensors"), Magnitude.Group.GLOBAL, 0.35);
        assertThat(TestWeights.f32(tmp.resolve("out2.safetensors"), A)).containsExactly(0, 0, 0, 0, 0, 1, 1, 1);
    }

    @Test
    void matrixAndRowGroupsAreExactPerTensor() throws IOException {
        Path in = write(tmp.resolve("in.safetensors"), List.of(
                f32(A, 2, 4, 1, 1, 1, 1, 1, 1, 1, 1),
                f32(B, 2, 4, 0.5f, -1, 1, 2, 3, 1, -0.25f, 4)));
        Map<String, PruneFacts> m = prune(in, tmp.resolve("m.safetensors"), Magnitude.Group.MATRIX, 0.3);
        assertThat(TestWeights.f32(tmp.resolve("m.safetensors"), A)).containsExactly(0, 0, 1, 1, 1, 1, 1, 1);
        assertThat(TestWeights.f32(tmp.resolve("m.safetensors"), B)).containsExactly(0, -1, 1, 2, 3, 1, 0, 4);
        assertThat(m.get(A).pruned()).isEqualTo(2);
        Map<String, PruneFacts> r = prune(in, tmp.resolve("r.safetensors"), Magnitude.Group.ROW, 0.5);
        assertThat(TestWeights.f32(tmp.resolve("r.safetensors"), A)).containsExactly(0, 0, 1, 1, 0, 0, 1, 1);
        assertThat(TestWeights.f32(tmp.resolve("r.safetensors"), B)).containsExactly(0, 0, 1, 2, 3, 0, 0, 4);
        assertThat(r.get(B).pruned()).isEqualTo(4);
    }

    @Test
    void outputDoesNotDependOnThreads() throws IOException {
        List<PlannedTensor> ts = new ArrayList<>();
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        for (int b = 0; b < 3; b++) {
            for (String p : new String[] {"self_attn.q_proj", "self_attn.o_proj", "mlp.up_proj"}) {
                float[] v = new float[24 * 16];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) rnd.nextGaussian();
                }
                ts.add(f32("model.layers." + b + "." + p + ".weight", 24, 16, v));
            }
        }
        Path in = write(tmp.resolve("in.safetensors"), ts);
        for (Magnitude.Group g : Magnitude.Group.values()) {
            Path one = tmp.resolve(g + "-1.safetensors");
            Path four = tmp.resolve(g + "-4.safetensors");
            pruneWith(in, one, g, 0.6, 1);
            pruneWith(in, four, g, 0.6, 4);
            assertThat(Files.readAllBytes(four)).as(g.toString()).isEqualTo(Files.readAllBytes(one));
        }
    }

    private static Map<String, PruneFacts> prune(Path in, Path out, Magnitude.Group g, double s) throws IOException {
        return pruneWith(in, out, g, s, 2);
    }

    private static Map<String, PruneFacts> pruneWith(Path in, Path out, Magnitude.Group g, double s, int threads) throws IOException {
        try (Checkpoint c = Checkpoint.open(in.toString())) {
            List<PrunableTensor> targets = Prunables.select(c, new LayerMap(c.names(), null), List.of(), List.of());
            TensorPruner pruner = Magnitude.pruner(g, s, 0, 0, targets, threads);
            try (PrunePlan plan = PrunePlan.build(c, targets, pruner, null, threads, null)) {
                SafetensorsWriter.write(out, Map.of("format", "pt"), plan.tensors());
                return plan.facts();
            }
        }
    }

    static PlannedTensor f32(String name, int rows, int cols, float... v) {
        return new PlannedTensor(name, DType.F32, new long[] {rows, cols}, sink -> {
            ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float x : v) {
                b.putFloat(x);
            }
            b.flip();
            sink.write(b);
        });
    }

    static Path write(Path file, List<PlannedTensor> ts) throws IOException {
        SafetensorsWriter.write(file, Map.of("format", "pt"), ts);
        return file;
    }
}
