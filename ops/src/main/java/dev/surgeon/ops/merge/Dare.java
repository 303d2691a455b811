package dev.surgeon.ops.merge;

/**
 * DARE (drop and rescale, Yu et al.; yule-BUAA/MergeLM): each entry of each task vector is kept with
 * probability 1 − p and, with rescaling, multiplied by 1/(1 − p), so the expected task vector is
 * unchanged. The decisions come from {@link DropMask}, seeded per (seed, task, tensor, element).
 * p = 1 drops everything (no rescale, as MergeLM).
 */
public final class Dare implements TaskVectorMask {
    private final DropMask mask;
    private final long seed;
    private final double scale;

    public Dare(double dropRate, boolean rescale, long seed) {
        this.mask = new DropMask(dropRate);
        this.seed = seed;
        this.scale = rescale && dropRate < 1 ? 1.0 / (1.0 - dropRate) : 1.0;
    }

    /** The factor applied to kept entries: 1/(1 − p), or 1 without rescaling. */
    public double scale() {
        return scale;
    }

    @Override
    public int apply(String tensor, int task, float[] tau, int n, long first) {
        long key = DropMask.streamKey(seed, task, tensor);
        int kept = 0;
        for (int i = 0; i < n; i++) {
            int drop = mask.drops(key, first + i);
            int bits = Float.floatToRawIntBits((float) (tau[i] * scale));
            tau[i] = Float.intBitsToFloat(bits & (drop - 1)); // branch-free: the rescaled entry, or +0
            kept += 1 - drop;
        }
        return kept;
    }
}
