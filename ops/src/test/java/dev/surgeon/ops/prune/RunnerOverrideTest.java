package dev.surgeon.ops.prune;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.ops.exec.ElementReader;
import dev.surgeon.ops.runner.LlamaRunner;
import dev.surgeon.ops.runner.TransformerRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link TransformerRunner#override}: the forward pass sees the values, and null restores them exactly. */
class RunnerOverrideTest {
    @TempDir
    Path tmp;

    @Test
    void overrideChangesLogitsAndNullRestoresThemExactly() throws Exception {
        Path m = TinyLlama.write(tmp.resolve("m"), 3);
        int[][] ids = TinyLlama.windows(4, 2, 7);
        // all weights cached, and none cached (one block at a time): both must see the override
        for (long cache : new long[] {LlamaRunner.DEFAULT_CACHE_BYTES, 0}) {
            try (Checkpoint c = Checkpoint.open(m.toString()); TransformerRunner r = LlamaRunner.open(c, cache)) {
                float[] before = r.logits(ids).dup('c').data().asFloat();
                PrunableTensor up = TinyLlama.targets(c).stream()
                        .filter(t -> t.name().equals("model.layers.1.mlp.up_proj.weight")).findFirst().orElseThrow();
                float[] w = ElementReader.readAll(up.ref());
                float[] edited = w.clone();
                for (int i = 0; i < edited.length; i += 3) {
                    edited[i] = 0;
                }
                r.override(up.name(), edited);
                float[] changed = r.logits(ids).dup('c').data().asFloat();
                assertThat(changed).isNotEqualTo(before);
                // the same values as an override give the checkpoint's logits bit for bit
                r.override(up.name(), w.clone());
                assertThat(r.logits(ids).dup('c').data().asFloat()).isEqualTo(before);
                r.override(up.name(), edited);
                r.override(up.name(), null);
                assertThat(r.logits(ids).dup('c').data().asFloat()).as("cache " + cache).isEqualTo(before);
                assertThatThrownBy(() -> r.override(up.name(), new float[3])).isInstanceOf(IllegalArgumentException.class);
            }
        }
    }
}
