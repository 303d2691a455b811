package dev.surgeon.ops.prune.comp;

import com.google.gson.JsonObject;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.ops.inspect.StatsFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Edits that do not fit, and models that cannot be sliced, are refused before anything is written. */
class StructuredEditValidationTest {
    @TempDir
    Path tmp;

    @Test
    void blockNeuronsRefuseEmptyUnsortedNegativeAndMismatchedScales() {
        assertThatThrownBy(() -> BlockNeurons.of()).isInstanceOf(InvalidInputException.class).hasMessageContaining("at least one");
        assertThatThrownBy(() -> BlockNeurons.of(3, 1)).isInstanceOf(InvalidInputException.class).hasMessageContaining("ascending");
        assertThatThrownBy(() -> BlockNeurons.of(1, 1)).isInstanceOf(InvalidInputException.class).hasMessageContaining("distinct");
        assertThatThrownBy(() -> BlockNeurons.of(-1, 2)).isInstanceOf(InvalidInputException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> new BlockNeurons(new int[] {1, 2}, new float[] {1}))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("scales");
        assertThatThrownBy(() -> new BlockNeurons(new int[] {1}, new float[] {Float.NaN}))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("finite");
        int[] kept = {0, 2};
        BlockNeurons n = BlockNeurons.of(kept);
        kept[0] = 5; // copied in
        assertThat(n.kept()).containsExactly(0, 2);
        assertThat(n.scale(1)).isEqualTo(1f);
    }

    @Test
    void editRefusesRemovingEveryBlockAndBlocksOutOfRange() {
        assertThatThrownBy(() -> Edits.edit(2, new int[] {0, 1}, Map.of()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("every block");
        assertThatThrownBy(() -> Edits.edit(3, new int[] {3}, Map.of()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("block 3");
        assertThatThrownBy(() -> Edits.edit(3, new int[] {-1}, Map.of()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("block -1");
        assertThatThrownBy(() -> Edits.edit(3, new int[0], Map.of(7, BlockNeurons.of(1))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("block 7");
        assertThatThrownBy(() -> Edits.edit(3, new int[] {1}, Map.of(1, BlockNeurons.of(1))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("removed");
        assertThatThrownBy(() -> Edits.edit(0, new int[0], Map.of())).isInstanceOf(InvalidInputException.class);
        StructuredEdit e = new StructuredEdit(5, new TreeSet<>(List.of(3, 1)), null);
        assertThat(e.keptBlocks()).containsExactly(0, 2, 4);
        assertThat(e.outputIndex(4)).isEqualTo(2);
        assertThat(e.outputIndex(1)).isEqualTo(-1);
    }

    @Test
    void planRefusesNeuronsBeyondTheWidthAndAnEditForAnotherDepth() {
        Path in = CompLlama.write(tmp.resolve("in"), CompLlama.Spec.f32(24, 12, 24), 1);
        try (Checkpoint c = Checkpoint.open(in.toString())) {
            LayerMap map = new LayerMap(c.names(), c.config());
            assertThatThrownBy(() -> StructuredPlan.build(c, map, Edits.edit(3, new int[0], Map.of(1, BlockNeurons.of(0, 12))), null))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("neuron 12");
            assertThatThrownBy(() -> StructuredPlan.build(c, map, Edits.edit(4, new int[0], Map.of()), null))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("4 blocks");
            assertThatThrownBy(() -> StructuredPlan.build(c, map, Edits.edit(3, new int[0], Map.of()), DType.I8))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("floating-point");
            // the widest block's last neuron is fine
            assertThat(StructuredPlan.build(c, map, Edits.edit(3, new int[0], Map.of(1, BlockNeurons.of(11))), null)
                    .widths()).containsExactly(24, 1, 24);
        }
    }

    @Test
    void intermediateSizesThatDisagreeWithTheWeightsAreRefused() throws Exception {
        Path in = CompLlama.write(tmp.resolve("in"), CompLlama.Spec.f32(24, 12, 24), 1);
        JsonObject c = StructuredPlanTest.readConfig(in);
        c.getAsJsonArray("intermediate_sizes").set(1, new com.google.gson.JsonPrimitive(13));
        Files.writeString(in.resolve("config.json"), c.toString());
        try (Checkpoint m = Checkpoint.open(in.toString())) {
            assertThatThrownBy(() -> StructuredPlan.build(m, new LayerMap(m.names(), m.config()),
                    Edits.edit(3, new int[] {0}, Map.of()), null))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("intermediate_sizes");
        }
    }

    @Test
    void fusedGateUpAndMlpsWithoutGateAreRefused() throws Exception {
        // Phi-3: gate_up_proj
        Path phi = StatsFiles.write(tmp.resolve("phi3.safetensors"),
                f32("model.layers.0.mlp.gate_up_proj.weight", 8, 2),
                f32("model.layers.0.mlp.down_proj.weight", 2, 4),
                f32("model.layers.1.mlp.gate_up_proj.weight", 8, 2),
                f32("model.layers.1.mlp.down_proj.weight", 2, 4));
        refused(phi, 2, "fused");
        // GPT-2: c_fc / c_proj, no gate
        Path gpt2 = StatsFiles.write(tmp.resolve("gpt2.safetensors"),
                f32("transformer.h.0.mlp.c_fc.weight", 2, 8),
                f32("transformer.h.0.mlp.c_proj.weight", 8, 2),
                f32("transformer.h.1.mlp.c_fc.weight", 2, 8),
                f32("transformer.h.1.mlp.c_proj.weight", 8, 2));
        refused(gpt2, 2, "");
    }

    private static void refused(Path model, int blocks, String message) {
        try (Checkpoint c = Checkpoint.open(model.toString())) {
            LayerMap map = new LayerMap(c.names(), c.config());
            assertThat(map.blockCount()).isEqualTo(blocks);
            assertThatThrownBy(() -> StructuredPlan.build(c, map, Edits.edit(blocks, new int[] {0}, Map.of()), null))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining(message);
        }
    }

    private static PlannedTensor f32(String name, int rows, int cols) {
        return StatsFiles.tensor(name, DType.F32, new long[] {rows, cols}, new double[rows * cols]);
    }
}
