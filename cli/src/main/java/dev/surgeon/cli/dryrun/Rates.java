package dev.surgeon.cli.dryrun;

/**
 * The constants of the dry run's estimates, each from a benchmark in the README (2-core
 * development machine). They are rough: other machines, other loads and other disks differ.
 */
final class Rates {
    /** DESIGN.md's memory bound starts from 512 MiB for the JVM, surgeon's classes and buffers. */
    static final long JVM_BASE = 512L << 20;
    /** JVM start, "about 0.35 s" (README, scale and average benchmark). */
    static final double JVM_START_S = 0.35;
    /** Bytes read plus written per second: scale at 1B read 3.77 GiB and wrote 1.88 GiB in 5.07 s. */
    static final double IO_BYTES_PER_S = 1.1 * 1024 * 1024 * 1024;
    /** Magnitude pruning's CPU per pruned weight: "about 8 ns" (README, prune benchmark). */
    static final double PRUNE_S_PER_WEIGHT = 8e-9;
    /** Forward pass in parameters x tokens per second: eval of the 134.1M synthetic LLaMA at 421.7 tokens/s. */
    static final double FORWARD_RATE = 421.7 * 134_105_856;
    /** Self-sampling with the key/value cache: 32 x 128 tokens of the 134.1M model in 32 s (COMP benchmark). */
    static final double SAMPLING_RATE = 32.0 * 128 * 134_105_856 / 32;
    /** One COMP pass (dense scores or one candidate): 4,096 tokens of the 134.1M model in about 25 s. */
    static final double COMP_RATE = 32.0 * 128 * 134_105_856 / 25;
    /** The self-sampler's key/value cache limit (README, calibrate). */
    static final long CACHE_BYTES = 512L << 20;

    private Rates() {
    }
}
