package dev.surgeon.ops.runner;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A decoder-only transformer that surgeon can run: token ids → hidden states → one block at a time
 * → logits. Running block by block lets calibration feed each block the output of the already
 * edited blocks before it, holding one block's activations at a time.
 */
public interface TransformerRunner extends AutoCloseable {
    /** Number of transformer blocks. */
    int blockCount();

    /** Vocabulary size (rows of the logits' last dimension). */
    int vocabSize();

    /** The model's context length (max positions), used as the default window. */
    int maxPositions();

    /** Hidden states [B, T, H] of the token ids [B][T] (embeddings, plus positions where learned). */
    INDArray embed(int[][] ids);

    /** Block {@code i} applied to hidden states [B, T, H]; the input is not modified. */
    INDArray block(int i, INDArray hidden);

    /**
     * As {@link #block(int, INDArray)}, reporting each Linear's input to {@code tap} (calibration).
     * Architectures without taps throw {@link UnsupportedOperationException}.
     */
    default INDArray block(int i, INDArray hidden, BlockTap tap) {
        throw new UnsupportedOperationException("calibration taps not supported for this architecture");
    }

    /**
     * Decodes and keeps the weights now where the runner keeps them all anyway (so a timed run
     * excludes loading); a no-op otherwise and by default.
     */
    default void preload() {
    }

    /**
     * From now on the forward pass uses {@code stored} (F32, the tensor's stored shape, row-major)
     * in place of checkpoint tensor {@code name}; {@code null} goes back to the checkpoint's values.
     * The array is kept, not copied: do not change it while it is in use. Edits (pruning, a
     * perturbation) are thus seen by later calls without writing a model.
     */
    void override(String name, float[] stored);

    /**
     * A key/value-cached {@link Decoder} for {@code batch} sequences of at most {@code maxLength}
     * tokens, or null where this architecture has none (callers then run whole prefixes).
     */
    default Decoder decoder(int batch, int maxLength) {
        return null;
    }

    /** Final norm and head: logits [B, T, V]. */
    INDArray head(INDArray hidden);

    /** All blocks in order: logits [B, T, V]. */
    default INDArray logits(int[][] ids) {
        INDArray h = embed(ids);
        for (int i = 0; i < blockCount(); i++) {
            h = block(i, h);
        }
        return head(h);
    }

    @Override
    void close();
}
