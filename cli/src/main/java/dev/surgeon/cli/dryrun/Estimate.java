package dev.surgeon.cli.dryrun;

import java.util.Locale;

/**
 * Peak memory and wall time of a planned run, each with the formula that gave it (printed and put
 * in the report, so the number can be judged). Both are rough: see {@link Rates} for the sources.
 */
public record Estimate(long peakMemoryBytes, String memoryFormula, double seconds, String timeFormula) {
    static final long MIB = 1L << 20;
    static final double GIB = 1024.0 * 1024 * 1024;

    /**
     * Element-wise methods (convert, scale, average, merge, mask apply): the JVM base, plus per
     * worker thread the largest tensor in F32 once per input and once for the output; time is the
     * JVM start plus the bytes read and written at the benchmarked I/O rate.
     */
    public static Estimate elementwise(ModelSize size, int inputs, int threads, long readBytes, long writeBytes) {
        long mem = Rates.JVM_BASE + (long) (inputs + 1) * size.largestF32() * threads;
        double s = Rates.JVM_START_S + (readBytes + writeBytes) / Rates.IO_BYTES_PER_S;
        return new Estimate(mem,
                String.format(Locale.ROOT, "512 MiB JVM + (%d inputs + 1 output) x largest tensor in F32 (%s) x %d threads",
                        inputs, ByteText.of(size.largestF32()), threads),
                s, String.format(Locale.ROOT, "0.35 s start + (%s read + %s written) at %.1f GiB/s",
                        ByteText.of(readBytes), ByteText.of(writeBytes), Rates.IO_BYTES_PER_S / GIB));
    }

    /** Magnitude pruning: as element-wise with one input, plus the benchmarked CPU time per pruned weight. */
    public static Estimate magnitude(ModelSize size, int threads, long readBytes, long writeBytes, long prunedWeights) {
        Estimate io = elementwise(size, 1, threads, readBytes, writeBytes);
        double s = io.seconds() + prunedWeights * Rates.PRUNE_S_PER_WEIGHT;
        return new Estimate(io.peakMemoryBytes(), io.memoryFormula(), s,
                io.timeFormula() + String.format(Locale.ROOT, " + %,d prunable weights x 8 ns", prunedWeights));
    }

    /**
     * Methods with the forward pass (calibrate, wanda, ecoflap, comp, mask compute): the JVM base,
     * the runner's F32 weights (all parameters x 4 bytes), one block's input and output activations
     * of every calibration token in F32, the self-sampling key/value cache (at most 512 MiB) and what
     * the method adds ({@code extraBytes}, described by {@code extraWhat}). Time: sampling and the
     * forward passes in parameter-tokens over the benchmarked rates, plus {@code otherSeconds}.
     */
    public static Estimate calibrated(ModelSize size, long tokens, boolean selfSampled, double passes, double passRate,
                                      long extraBytes, String extraWhat, double otherSeconds, String otherWhat) {
        long weights = size.params() * 4;
        long acts = 2 * tokens * Math.max(1, size.hidden()) * 4;
        long cache = selfSampled ? Math.min(Rates.CACHE_BYTES, 2L * size.blocks() * tokens * Math.max(1, size.hidden()) * 4) : 0;
        long mem = Rates.JVM_BASE + weights + acts + cache + extraBytes;
        double work = (double) tokens * size.params();
        double sampling = selfSampled ? work / Rates.SAMPLING_RATE : 0;
        double s = Rates.JVM_START_S + sampling + passes * work / passRate + otherSeconds;
        String memText = String.format(Locale.ROOT, "512 MiB JVM + F32 weights (%s) + 2 x %,d tokens x hidden %d in F32 (%s)%s%s",
                ByteText.of(weights), tokens, size.hidden(), ByteText.of(acts),
                selfSampled ? " + sampling cache (" + ByteText.of(cache) + ")" : "",
                extraBytes > 0 ? " + " + extraWhat + " (" + ByteText.of(extraBytes) + ")" : "");
        String timeText = String.format(Locale.ROOT, "0.35 s start%s + %.1f passes x %,d tokens x %,d params at %.2g param-tokens/s%s",
                selfSampled ? String.format(Locale.ROOT, " + sampling %.0f s", sampling) : "", passes, tokens, size.params(),
                passRate, otherSeconds > 0 ? " + " + otherWhat : "");
        return new Estimate(mem, memText, s, timeText);
    }

    /** Parameter-tokens per second of the forward pass (eval benchmark). */
    public static double forwardRate() {
        return Rates.FORWARD_RATE;
    }

    /** Parameter-tokens per second of one COMP pass (COMP benchmark). */
    public static double compRate() {
        return Rates.COMP_RATE;
    }
}
