package dev.surgeon.ops.runner;

/**
 * A runner that sums a batch's next-token NLLs itself ({@link Perplexity}'s convention), so it can
 * keep the logits, the largest array of a forward pass, in a buffer reused from batch to batch
 * instead of handing a fresh one to the caller each time.
 */
interface BatchLoss {
    /** Σ NLL of the last T tokens of windows[from..from+B) given {@code inputs} [B][T], their first T. */
    double nllSum(int[][] inputs, int[][] windows, int from);
}
