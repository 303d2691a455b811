package dev.surgeon.cli;

import dev.surgeon.io.error.IoFailureException;

import java.nio.file.Files;

/**
 * What a dry run knows of the calibration without running it: sequences, tokens per sequence (as
 * {@link CalibrationOptions#resolve} chooses them) and whether they are sampled from the model.
 */
public record CalibrationPlan(int samples, int seqLen, boolean selfSampled) {

    /**
     * {@code commandSeqLen}: the command's own default of --seq-len (null: the model's context,
     * at most 2048); {@code maxPositions}: the model's context. A --data file must exist and be readable.
     */
    public static CalibrationPlan of(CalibrationOptions c, Integer commandSeqLen, int maxPositions) {
        int t = c.seqLen != null ? c.seqLen : commandSeqLen != null ? Math.min(commandSeqLen, maxPositions)
                : Math.min(maxPositions, 2048);
        readable(c.data);
        return new CalibrationPlan(c.samples(), t, c.data == null);
    }

    /** A token data file a dry run does not load: it must at least exist and be readable (else exit 4, as loading would). */
    public static void readable(java.nio.file.Path data) {
        if (data != null && !Files.isRegularFile(data)) {
            throw new IoFailureException(data + ": no such file");
        }
        if (data != null && !Files.isReadable(data)) {
            throw new IoFailureException(data + ": cannot read");
        }
    }

    public long tokens() {
        return (long) samples * seqLen;
    }
}
