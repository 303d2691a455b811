package dev.surgeon.ops.merge;

import dev.surgeon.ops.exec.Hash64;

/**
 * DARE's random keep/drop decisions as a counter-based generator: the decision for element i of
 * tensor N in task t is a pure function of (seed, t, N, i): a SplitMix64 output at counter i + 1 of a
 * stream keyed by (seed, t, N). So results do not depend on chunking, threads or tensor order, and any
 * element's decision can be recomputed alone.
 */
public final class DropMask {
    private static final double TWO_POW_53 = 0x1p53;

    private final double rate;
    private final long dropBelow;

    /** Drops each element with probability {@code rate} (0 ≤ rate ≤ 1). */
    public DropMask(double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("drop rate must be in [0, 1], not " + rate);
        }
        this.rate = rate;
        // u = (h >>> 11) / 2^53 is uniform on [0, 1); drop when u < rate, i.e. h >>> 11 < ceil(rate * 2^53).
        this.dropBelow = (long) Math.ceil(rate * TWO_POW_53);
    }

    public double rate() {
        return rate;
    }

    /** The key of the stream for (seed, task, tensor name). */
    public static long streamKey(long seed, int task, String tensor) {
        long k = Hash64.mix(seed + Hash64.GOLDEN);
        k = Hash64.mix(k ^ ((task + 1L) * 0xBF58476D1CE4E5B9L));
        return Hash64.mix(k ^ Hash64.fnv1a(tensor));
    }

    /** True when element {@code index} of the stream is kept. */
    public boolean keeps(long streamKey, long index) {
        return drops(streamKey, index) == 0;
    }

    /** 1 when element {@code index} of the stream is dropped, else 0 (branch-free). */
    public int drops(long streamKey, long index) {
        return (int) (((Hash64.mix(streamKey + (index + 1) * Hash64.GOLDEN) >>> 11) - dropBelow) >>> 63);
    }


}
