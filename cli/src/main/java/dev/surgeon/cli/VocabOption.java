package dev.surgeon.cli;

import dev.surgeon.io.error.UsageException;
import picocli.CommandLine.Option;

/** --vocab, for the commands that line models up element-wise (scale, merge, average). */
public final class VocabOption {
    @Option(names = "--vocab", paramLabel = "MODE",
            description = "strict: embeddings and lm_head must have the same rows in every model; "
                    + "base: a model with more rows (added tokens) contributes only the base's rows. Default: strict.")
    String vocab = "strict";

    public boolean base() {
        switch (vocab) {
            case "strict": return false;
            case "base": return true;
            default: throw new UsageException("--vocab must be strict or base, not '" + vocab + "'");
        }
    }
}
