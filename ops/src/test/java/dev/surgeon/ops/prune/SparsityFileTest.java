package dev.surgeon.ops.prune;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.error.IoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The --sparsity-file in YAML and JSON, against the targets of a real (tiny) model file. */
class SparsityFileTest {
    @TempDir
    Path tmp;

    private SparsityFile read(String name, String text) throws Exception {
        Path model = tmp.resolve("m");
        if (!Files.exists(model)) {
            TinyLlama.write(model, 1);
        }
        Path f = tmp.resolve(name);
        Files.writeString(f, text);
        try (Checkpoint c = Checkpoint.open(model.toString())) {
            List<PrunableTensor> targets = TinyLlama.targets(c);
            return SparsityFile.read(f, targets, TinyLlama.L);
        }
    }

    @Test
    void yamlWithIntegerStringAndNameKeys() throws Exception {
        SparsityFile s = read("s.yaml", "0: 0.5\n\"2\": 0.25\nmodel.layers.1.mlp.down_proj.weight: 0.75\n"
                + "model.layers.1.self_attn.q_proj: 0\n");
        assertThat(s.blocks()).containsEntry(0, 0.5).containsEntry(2, 0.25).hasSize(2);
        assertThat(s.tensors()).containsEntry("model.layers.1.mlp.down_proj.weight", 0.75)
                .containsEntry("model.layers.1.self_attn.q_proj.weight", 0.0).hasSize(2);
    }

    @Test
    void json() throws Exception {
        SparsityFile s = read("s.json", "{\"1\": 0.4, \"model.layers.0.mlp.up_proj.weight\": 0.9}");
        assertThat(s.blocks()).containsExactlyEntriesOf(java.util.Map.of(1, 0.4));
        assertThat(s.tensors()).containsExactlyEntriesOf(java.util.Map.of("model.layers.0.mlp.up_proj.weight", 0.9));
    }

    @Test
    void errorsNameTheKey() {
        assertThatThrownBy(() -> read("a.yaml", "3: 0.5\n")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("block 3 is out of range");
        assertThatThrownBy(() -> read("b.yaml", "model.layers.0.mlp.nope: 0.5\n")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'model.layers.0.mlp.nope'");
        assertThatThrownBy(() -> read("c.json", "{\"0\": 1.0}")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'0'").hasMessageContaining("outside [0, 1)");
        assertThatThrownBy(() -> read("d.yaml", "1: -0.1\n")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'1'");
        assertThatThrownBy(() -> read("e.yaml", "1: half\n")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'1'").hasMessageContaining("not a number");
        assertThatThrownBy(() -> read("f.yaml", "1: 0.5\n\"1\": 0.4\n")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'1'").hasMessageContaining("twice");
        assertThatThrownBy(() -> read("g.yaml", "- 0.5\n")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("must be a map");
        assertThatThrownBy(() -> read("h.json", "{\"0\": 0.5,}")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> read("i.yaml", "a: [\n")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> SparsityFile.read(tmp.resolve("missing.yaml"), List.of(), 1))
                .isInstanceOf(IoFailureException.class);
    }
}
