package dev.surgeon.ops.inspect;

import dev.surgeon.ops.exec.ElementReader;
import dev.surgeon.ops.exec.OrderedParallel;
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

    /**
     * Statistics of every decodable tensor among {@code refs}, computed on up to {@code threads}
     * threads, keyed by name in the order given; opaque tensors are left out.
     */
    public static java.util.Map<String, TensorStats> ofAll(java.util.Collection<TensorRef> refs, int threads) {
        java.util.List<TensorRef> readable = new java.util.ArrayList<>();
        for (TensorRef r : refs) {
            if (ElementReader.canRead(r.info())) {
                readable.add(r);
            }
        }
        java.util.List<TensorStats> stats = OrderedParallel.map(readable, threads, TensorStats::of);
        java.util.Map<String, TensorStats> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < readable.size(); i++) {
            out.put(readable.get(i).name(), stats.get(i));
        }
        return out;
    }

    /** Reads a decodable tensor once, streamed, and returns its statistics. */
    public static TensorStats of(TensorRef ref) {
        StatsAccumulator acc = new StatsAccumulator();
        ElementReader.forEachBlock(ref, acc::add);
        return acc.result();
    }
}
