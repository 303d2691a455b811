package dev.surgeon.cli;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded random models written by {@code surgeon synth} for command tests: a small F32 LLaMA with
 * grouped-query attention (4 query heads in 2 KV groups, head_dim 8, vocabulary 64) and a small
 * GPT-2 (hidden 32, 4 heads, MLP 64).
 */
final class SynthModels {
    private SynthModels() {
    }

    /** A LLaMA folder at {@code dir}: {@code layers} blocks, hidden 32, MLP {@code intermediate}. */
    static Path llama(Path dir, int layers, int intermediate) {
        assertThat(Main.run("synth", "-q", "--arch", "llama", "--layers", Integer.toString(layers), "--hidden", "32",
                "--intermediate", Integer.toString(intermediate), "--heads", "4", "--kv-heads", "2", "--vocab", "64",
                "--max-positions", "64", "--dtype", "f32", "-o", dir.toString())).isZero();
        return dir;
    }

    /** A GPT-2 folder at {@code dir} with {@code layers} blocks. */
    static Path gpt2(Path dir, int layers) {
        assertThat(Main.run("synth", "-q", "--arch", "gpt2", "--layers", Integer.toString(layers), "--hidden", "32",
                "--intermediate", "64", "--heads", "4", "--vocab", "64", "--max-positions", "64", "--dtype", "f32",
                "-o", dir.toString()))
                .isZero();
        return dir;
    }
}
