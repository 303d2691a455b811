package dev.surgeon.ops.calib;

import dev.surgeon.ops.runner.Decoder;
import dev.surgeon.ops.runner.TransformerRunner;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * {@code --calib self}: calibration sequences sampled from the model itself. Sequence k gets its
 * own generator, the k-th {@link SplittableRandom#split()} of {@code SplittableRandom(seed)}; it
 * draws the first token uniformly from the vocabulary, then each next token from softmax(logits)
 * of the last position (temperature 1, computed in double with the maximum subtracted). So the
 * samples depend on the seed and not on the batch size.
 *
 * <p>Runners with a key/value cache ({@link TransformerRunner#decoder}: LLaMA family) generate
 * with it, O(T) token-passes per sequence; others run a full forward pass over the growing prefix
 * per token (the final norm and head only on the last position), O(T²) token-passes, which is
 * meant for small models — for large models and long windows pass real data with {@code --data}.
 */
public final class SelfSampler {
    /** Sequences decoded together when the runner has a cache, at most. */
    static final int DECODE_BATCH = 64;
    /** Key/value cache the decoding batch may take. */
    static final long DECODE_CACHE_BYTES = 512L << 20;

    private SelfSampler() {
    }

    /**
     * {@code samples} sequences of {@code t} tokens, generated {@code batch} sequences at a time;
     * {@code progress} receives the number of sequences done after each batch.
     */
    public static int[][] sample(TransformerRunner runner, int samples, int t, long seed, int batch, IntConsumer progress) {
        if (samples < 1 || t < 1) {
            throw new IllegalArgumentException("samples and seq-len must be at least 1");
        }
        int vocab = runner.vocabSize();
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom[] rng = new SplittableRandom[samples];
        int[][] out = new int[samples][t];
        for (int k = 0; k < samples; k++) {
            rng[k] = root.split();
            out[k][0] = rng[k].nextInt(vocab);
        }
        batch = Math.max(1, batch);
        try (Decoder probe = runner.decoder(1, t)) {
            if (probe != null) {
                // one position per step: the batch is bounded by the cache, not by T² attention
                long fit = DECODE_CACHE_BYTES / Math.max(1, probe.cacheBytesPerSequence());
                batch = (int) Math.max(batch, Math.min(DECODE_BATCH, fit));
            }
        }
        double[] p = new double[vocab];
        for (int start = 0; start < samples; start += batch) {
            int b = Math.min(batch, samples - start);
            try (Decoder decoder = runner.decoder(b, t)) {
                if (decoder != null) {
                    int[] last = new int[b];
                    for (int len = 1; len < t; len++) {
                        for (int i = 0; i < b; i++) {
                            last[i] = out[start + i][len - 1];
                        }
                        FloatBuffer data = FloatBuffer.wrap(decoder.step(last));
                        for (int i = 0; i < b; i++) {
                            out[start + i][len] = draw(data, i * vocab, vocab, p, rng[start + i]);
                        }
                    }
                } else {
                    samplePrefixes(runner, out, start, b, t, p, rng);
                }
            }
            progress.accept(start + b);
        }
        return out;
    }

    /** Without a cache: one forward pass over the whole prefix per generated token. */
    private static void samplePrefixes(TransformerRunner runner, int[][] out, int start, int b, int t, double[] p,
                                       SplittableRandom[] rng) {
        int vocab = runner.vocabSize();
        for (int len = 1; len < t; len++) {
            int[][] prefix = new int[b][];
            for (int i = 0; i < b; i++) {
                prefix[i] = java.util.Arrays.copyOf(out[start + i], len);
            }
            INDArray h = runner.embed(prefix);
            for (int l = 0; l < runner.blockCount(); l++) {
                INDArray next = runner.block(l, h);
                free(h);
                h = next;
            }
            INDArray last = h.get(NDArrayIndex.all(), NDArrayIndex.interval(len - 1, len), NDArrayIndex.all()).dup('c');
            free(h);
            INDArray logits = runner.head(last);
            free(last);
            FloatBuffer data = logits.data().asNioFloat();
            for (int i = 0; i < b; i++) {
                out[start + i][len] = draw(data, i * vocab, vocab, p, rng[start + i]);
            }
            free(logits);
        }
    }

    /** A token drawn from softmax of {@code vocab} logits at {@code offset}. */
    static int draw(FloatBuffer logits, int offset, int vocab, double[] p, SplittableRandom rng) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < vocab; j++) {
            max = Math.max(max, logits.get(offset + j));
        }
        double sum = 0;
        for (int j = 0; j < vocab; j++) {
            double e = Math.exp(logits.get(offset + j) - max);
            p[j] = e;
            sum += e;
        }
        double u = rng.nextDouble() * sum;
        double acc = 0;
        for (int j = 0; j < vocab; j++) {
            acc += p[j];
            if (u < acc) {
                return j;
            }
        }
        // rounding left u at the very top: the last token with any mass
        for (int j = vocab - 1; j > 0; j--) {
            if (p[j] > 0) {
                return j;
            }
        }
        return 0;
    }

    private static void free(INDArray a) {
        if (a != null && a.closeable()) {
            a.close();
        }
    }
}
