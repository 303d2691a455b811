package dev.surgeon.cli;

import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.safetensors.DType;
import picocli.CommandLine.Option;

/** Options shared by the commands that combine models element-wise (scale, merge, average). */
public final class MergeOptions {
    @Option(names = "--dtype", paramLabel = "DTYPE",
            description = "Output dtype of floating-point tensors: bf16, f16 or f32 (math is F32, rounded once, "
                    + "to nearest even). Default: each tensor keeps its input dtype.")
    String dtype;

    @Option(names = "--vocab", paramLabel = "MODE",
            description = "strict: embeddings and lm_head must have the same rows in every model; "
                    + "base: a model with more rows (added tokens) contributes only the base's rows. Default: strict.")
    String vocab = "strict";

    /** The requested output dtype, or null to keep each tensor's. */
    public DType dtype() {
        if (dtype == null) {
            return null;
        }
        DType d = DType.parseUserName(dtype);
        if (d != DType.BF16 && d != DType.F16 && d != DType.F32) {
            throw new UsageException("--dtype must be bf16, f16 or f32, not '" + dtype + "'");
        }
        return d;
    }

    public boolean vocabBase() {
        switch (vocab) {
            case "strict": return false;
            case "base": return true;
            default: throw new UsageException("--vocab must be strict or base, not '" + vocab + "'");
        }
    }
}
