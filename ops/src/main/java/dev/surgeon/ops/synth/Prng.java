package dev.surgeon.ops.synth;

import dev.surgeon.ops.exec.Hash64;

/**
 * SplitMix64: a tiny, fast, well-mixed generator. Each (seed, tensor, chunk) gets its own stream,
 * so values do not depend on how many chunks are generated, in which order or on which thread.
 */
final class Prng {

    private long state;

    Prng(long seed) {
        this.state = seed;
    }

    /** The stream seed of one chunk of one tensor. */
    static long streamSeed(long seed, String tensor, long chunk) {
        return Hash64.mix(Hash64.mix(seed ^ Hash64.fnv1a(tensor)) + (chunk + 1) * Hash64.GOLDEN);
    }

    /**
     * Fills {@code dst[0..n)} with uniform values in [-bound, bound): two 24-bit draws per 64-bit
     * output, centred as exact integers, so scaling is one multiply that never exceeds the bound.
     */
    void uniform(float[] dst, int n, float bound) {
        float scale = bound / (1 << 23);
        long s = state;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            s += Hash64.GOLDEN;
            long z = Hash64.mix(s);
            dst[i] = ((int) (z >>> 40) - (1 << 23)) * scale;
            dst[i + 1] = ((int) ((z >>> 16) & 0xFFFFFF) - (1 << 23)) * scale;
        }
        if (i < n) {
            s += Hash64.GOLDEN;
            dst[i] = ((int) (Hash64.mix(s) >>> 40) - (1 << 23)) * scale;
        }
        state = s;
    }


}
