package dev.surgeon.ops.exec;

import java.nio.charset.StandardCharsets;

/**
 * The 64-bit mixing every seeded method shares, so that a value derived from (seed, name, index)
 * is the same on every JVM, thread count and chunking: SplitMix64's finalizer and FNV-1a of a name.
 */
public final class Hash64 {
    /** SplitMix64's increment (2^64 / golden ratio). */
    public static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Hash64() {
    }

    /** SplitMix64's finalizer (Stafford's mix 13): a bijection of 64-bit words with full avalanche. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** FNV-1a of the name's UTF-8 bytes (String.hashCode is only 32 bits). */
    public static long fnv1a(String s) {
        long h = 0xCBF29CE484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001B3L;
        }
        return h;
    }
}
