package dev.surgeon.cli;

import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.safetensors.DType;
import picocli.CommandLine.Option;

/** --dtype: the output dtype of floating-point tensors, for every command that writes a model. */
public final class DtypeOption {
    @Option(names = "--dtype", paramLabel = "DTYPE",
            description = "Output dtype of floating-point tensors: bf16, f16 or f32 (rounded once, to nearest even); "
                    + "integer and bool tensors keep theirs. Default: each tensor keeps its input dtype.")
    String dtype;

    /** The requested output dtype, or null to keep each tensor's. */
    public DType get() {
        if (dtype == null) {
            return null;
        }
        DType d = DType.parseUserName(dtype);
        if (d != DType.BF16 && d != DType.F16 && d != DType.F32) {
            throw new UsageException("--dtype must be bf16, f16 or f32, not '" + dtype + "'");
        }
        return d;
    }
}
