package dev.surgeon.cli;

import dev.surgeon.cli.report.Report;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.UsageException;
import dev.surgeon.ops.calib.SelfSampler;
import dev.surgeon.ops.data.TokenData;
import dev.surgeon.ops.data.Windows;
import dev.surgeon.ops.runner.Perplexity;
import dev.surgeon.ops.runner.TransformerRunner;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Where calibration sequences come from ({@code calibrate}, {@code prune --method wanda|ecoflap}):
 * {@code --data FILE} cut into seeded windows, or {@code --calib self} sampled from the model, and
 * how many, how long, in what batches. One place validates the options and builds the windows
 * (DESIGN.md "Calibration and the transformer runner"), warnings included.
 */
public final class CalibrationOptions {
    @Option(names = "--data", paramLabel = "FILE",
            description = "Calibration token data: .bin raw bytes (byte-level models), .jsonl token-id lists, .safetensors input_ids, .txt text. "
                    + "Not with --calib self.")
    Path data;

    @Option(names = "--calib", paramLabel = "SOURCE",
            description = "'self': sample the calibration sequences from the model itself (seeded; first token uniform, then "
                    + "softmax sampling at temperature 1; a key/value cache for the LLaMA family; GPT-2 reruns the prefix per token, O(T^2)). Not with --data.")
    String calib;

    @Option(names = "--samples", paramLabel = "N",
            description = "Calibration sequences. Default: 128 (prune --method comp: 32).")
    Integer samples;

    @Option(names = "--seq-len", paramLabel = "T",
            description = "Tokens per sequence. Default: the model's max_position_embeddings, at most 2048 (prune --method comp: 128).")
    Integer seqLen;

    /** What --samples and --seq-len default to (null: the model's context, at most 2048). */
    private int defaultSamples = 128;
    private Integer defaultSeqLen;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the window offsets (--data), of the sampling (--calib self) and of the method's random draws. Default: 0.")
    long seed;

    @Option(names = "--batch", paramLabel = "B",
            description = "Sequences per forward pass. Default: as many as keep a batch's activations small (at most 64).")
    Integer batch;

    /** The calibration sequences of one run and where they came from. */
    public record Resolved(int[][] windows, int seqLen, int batch, String source, int[] tokens) {
        /**
         * {@code count} sequences from the same source with the same seed: {@code count} seeded
         * windows of the data, or the first {@code count} of the self-sampled ones.
         */
        public int[][] firstOrDrawn(int count, long seed) {
            if (tokens == null) {
                return Arrays.copyOf(windows, Math.min(count, windows.length));
            }
            return Windows.calibration(tokens, count, seqLen, seed).windows();
        }
    }

    /** True when --data or --calib was given. */
    public boolean given() {
        return data != null || calib != null;
    }

    public Path data() {
        return data;
    }

    public long seed() {
        return seed;
    }

    public int samples() {
        return samples != null ? samples : defaultSamples;
    }

    /** Sets the defaults of --samples and --seq-len for a command whose method is sized for a CPU. */
    public void defaults(int samples, int seqLen) {
        this.defaultSamples = samples;
        this.defaultSeqLen = seqLen;
    }

    /** Checks the options before any model is read; {@code required}: one of --data and --calib must be given. */
    public void validate(boolean required) {
        if (data != null && calib != null) {
            throw new UsageException("give one of --data FILE and --calib self, not both");
        }
        if (required && !given()) {
            throw new UsageException("give exactly one of --data FILE and --calib self");
        }
        if (calib != null && !calib.equals("self")) {
            throw new UsageException("--calib takes 'self' (sample from the model), not '" + calib + "'; for data use --data FILE");
        }
        if (samples() < 1) {
            throw new UsageException("--samples must be at least 1, not " + samples);
        }
        if (seqLen != null && seqLen < 1) {
            throw new UsageException("--seq-len must be at least 1, not " + seqLen);
        }
        if (batch != null && batch < 1) {
            throw new UsageException("--batch must be at least 1, not " + batch);
        }
    }

    /**
     * The calibration windows for {@code model}: a short-data warning goes into the report, and
     * {@code data} is reported as the file or "self". Progress of self-sampling is shown on stderr
     * when it is a terminal and {@code progress} is true.
     */
    public Resolved resolve(Checkpoint model, TransformerRunner runner, Report report, String command, boolean progress) {
        int t = seqLen != null ? seqLen : defaultSeqLen != null ? Math.min(defaultSeqLen, runner.maxPositions())
                : Math.min(runner.maxPositions(), 2048);
        int samples = samples();
        int b = batch != null ? batch : Perplexity.defaultBatch(runner, t);
        if (data != null) {
            int[] ids = TokenData.load(data, model);
            Windows.Result w = Windows.calibration(ids, samples, t, seed);
            if (w.warning() != null) {
                report.warn(w.warning());
            }
            report.put("data", data.toString());
            return new Resolved(w.windows(), t, b, data.toString(), ids);
        }
        int[][] windows = SelfSampler.sample(runner, samples, t, seed, b,
                done -> Progress.line(progress, command, "sampling", done, samples, "sequences"));
        Progress.end(progress);
        report.put("data", "self");
        return new Resolved(windows, t, b, "self", null);
    }
}
