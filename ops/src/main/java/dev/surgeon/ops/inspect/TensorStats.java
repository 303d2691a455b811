package dev.surgeon.ops.inspect;

import dev.surgeon.io.checkpoint.TensorRef;

/**
 * Summary statistics of one tensor's values. {@code min}, {@code max}, {@code mean} and {@code std}
 * are over the finite elements only (NaN when there are none); NaN and ±Inf are counted apart.
 * {@code std} is the population standard deviation (divides by the finite count), as numpy's
 * default. {@code zeros} counts +0 and -0.
 */
public record TensorStats(long count, long finite, double min, double max, double mean, double std,
                          long zeros, long nans, long infs) {

    /** Fraction of all elements that are zero; 0 for an empty tensor. */
    public double zeroFraction() {
        return count == 0 ? 0 : (double) zeros / count;
    }

    public boolean hasNonFinite() {
        return nans > 0 || infs > 0;
    }

    /** Reads a decodable tensor once, streamed, and returns its statistics. */
    public static TensorStats of(TensorRef ref) {
        StatsAccumulator acc = new StatsAccumulator();
        ElementReader.forEachBlock(ref, acc::add);
        return acc.result();
    }
}
