package dev.surgeon.ops.runner;

/**
 * Token-by-token decoding with a key/value cache: each {@link #step} feeds one token per sequence
 * and returns the logits of the next position, reusing the keys and values of the earlier ones,
 * so generating T tokens costs O(T) token-passes instead of O(T²).
 */
public interface Decoder extends AutoCloseable {
    /**
     * Feeds {@code tokens[i]} to sequence i at the next position and returns the logits of what
     * follows, row-major [batch, vocab].
     */
    float[] step(int[] tokens);

    /** Bytes of key/value cache each sequence takes at the full length (allocated on the first step). */
    long cacheBytesPerSequence();

    /** Positions fed so far. */
    int position();

    @Override
    void close();
}
