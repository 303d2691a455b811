package dev.surgeon.ops.merge;

/**
 * Which entries of a task vector a merge keeps before combining: TIES's magnitude trim
 * ({@link MagnitudeThreshold}) or DARE's random drop ({@link Dare}). Implementations are stateless
 * per call and depend only on (tensor, task, element index, value), so a result never depends on
 * chunking or threads.
 */
@FunctionalInterface
public interface TaskVectorMask {
    /**
     * Zeroes the dropped entries of {@code tau[0..n)} (elements {@code first..first+n} of tensor
     * {@code tensor}, task {@code task}) in place, rescaling the kept ones where the method does;
     * returns how many were kept.
     */
    int apply(String tensor, int task, float[] tau, int n, long first);
}
