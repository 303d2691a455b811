package dev.surgeon.ops.runner;

import dev.surgeon.io.checkpoint.Checkpoint;

/** Picks the runner for a model's architecture (from its config.json). */
public final class Runners {
    private Runners() {
    }

    /** The runner for {@code model}; an architecture without one is an invalid-input error. */
    public static TransformerRunner open(Checkpoint model) {
        return LlamaRunner.open(model);
    }
}
