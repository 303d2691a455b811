package dev.surgeon.ops.synth;

import java.nio.charset.StandardCharsets;

/**
 * SplitMix64: a tiny, fast, well-mixed generator. Each (seed, tensor, chunk) gets its own stream,
 * so values do not depend on how many chunks are generated, in which order or on which thread.
 */
final class Prng {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private long state;

    Prng(long seed) {
        this.state = seed;
    }

    /** The stream seed of one chunk of one tensor. */
    static long streamSeed(long seed, String tensor, long chunk) {
        return mix(mix(seed ^ fnv1a(tensor)) + (chunk + 1) * GOLDEN);
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
            s += GOLDEN;
            long z = mix(s);
            dst[i] = ((int) (z >>> 40) - (1 << 23)) * scale;
            dst[i + 1] = ((int) ((z >>> 16) & 0xFFFFFF) - (1 << 23)) * scale;
        }
        if (i < n) {
            s += GOLDEN;
            dst[i] = ((int) (mix(s) >>> 40) - (1 << 23)) * scale;
        }
        state = s;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A hash of the name's UTF-8 bytes that is the same on every JVM (String.hashCode is 32-bit). */
    static long fnv1a(String s) {
        long h = 0xCBF29CE484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001B3L;
        }
        return h;
    }
}
