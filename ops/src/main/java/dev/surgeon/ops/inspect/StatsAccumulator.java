package dev.surgeon.ops.inspect;

/**
 * Accumulates {@link TensorStats} over blocks of values, in double. Each block's mean and sum of
 * squared deviations are computed in two passes over the block (which is in cache), then merged
 * into the running totals with Chan's parallel update, so the variance stays accurate for
 * tensors of any size and any offset from zero.
 */
public final class StatsAccumulator {
    private long count;
    private long finite;
    private long zeros;
    private long nans;
    private long infs;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private double mean;
    private double m2;

    /** Adds the first {@code n} values of {@code v}. */
    public void add(double[] v, int n) {
        long bf = 0;
        double sum = 0;
        double lo = min;
        double hi = max;
        long z = 0;
        for (int i = 0; i < n; i++) {
            double x = v[i];
            if (x != x) {
                nans++;
            } else if (x == Double.POSITIVE_INFINITY || x == Double.NEGATIVE_INFINITY) {
                infs++;
            } else {
                bf++;
                sum += x;
                if (x == 0) {
                    z++;
                }
                if (x < lo) {
                    lo = x;
                }
                if (x > hi) {
                    hi = x;
                }
            }
        }
        count += n;
        zeros += z;
        min = lo;
        max = hi;
        if (bf == 0) {
            return;
        }
        double bm = sum / bf;
        double bm2 = 0;
        for (int i = 0; i < n; i++) {
            double x = v[i];
            if (x - x == 0) { // finite: NaN - NaN and Inf - Inf are NaN
                double d = x - bm;
                bm2 += d * d;
            }
        }
        merge(bf, bm, bm2);
    }

    /** Adds everything another accumulator has seen. */
    public void add(StatsAccumulator o) {
        count += o.count;
        zeros += o.zeros;
        nans += o.nans;
        infs += o.infs;
        min = Math.min(min, o.min);
        max = Math.max(max, o.max);
        if (o.finite > 0) {
            merge(o.finite, o.mean, o.m2);
        }
    }

    private void merge(long nb, double mb, double m2b) {
        long n = finite + nb;
        double delta = mb - mean;
        mean += delta * ((double) nb / n);
        m2 += m2b + delta * delta * ((double) finite * nb / n);
        finite = n;
    }

    public TensorStats result() {
        if (finite == 0) {
            return new TensorStats(count, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, zeros, nans, infs);
        }
        double std = Math.sqrt(Math.max(0, m2 / finite));
        return new TensorStats(count, finite, min, max, mean, std, zeros, nans, infs);
    }
}
