package dev.surgeon.ops.inspect;

/**
 * Accumulates {@link TensorStats} over blocks of values, in double. Each run of 4096 values gets
 * its mean and sum of squared deviations in two passes (it is in cache), then is merged into the
 * running totals with Chan's parallel update, so the variance stays accurate for
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

    /** Sub-block length: short sums keep rounding error near the length times epsilon. */
    private static final int SUB = 4096;

    /** Adds the first {@code n} values of {@code v}. */
    public void add(double[] v, int n) {
        for (int off = 0; off < n; off += SUB) {
            addRange(v, off, Math.min(n, off + SUB));
        }
    }

    private void addRange(double[] v, int from, int to) {
        long bf = 0;
        long z = 0;
        long bad = 0;
        double s0 = 0;
        double s1 = 0;
        double lo = min;
        double hi = max;
        // Branch-light first pass: two partial sums hide the add latency; zero, min and max are
        // conditional moves, so a tensor full of zeros (pruned) costs no mispredictions.
        int i = from;
        for (; i + 1 < to; i += 2) {
            double x = v[i];
            double y = v[i + 1];
            if (x - x == 0 && y - y == 0) { // both finite: NaN - NaN and Inf - Inf are NaN
                s0 += x;
                s1 += y;
                z += (x == 0 ? 1 : 0) + (y == 0 ? 1 : 0);
                lo = x < lo ? x : lo;
                lo = y < lo ? y : lo;
                hi = x > hi ? x : hi;
                hi = y > hi ? y : hi;
                bf += 2;
            } else {
                bad++;
                for (int k = i; k < i + 2; k++) {
                    double w = v[k];
                    if (w != w) {
                        nans++;
                    } else if (w - w != 0) {
                        infs++;
                    } else {
                        s0 += w;
                        z += w == 0 ? 1 : 0;
                        lo = w < lo ? w : lo;
                        hi = w > hi ? w : hi;
                        bf++;
                    }
                }
            }
        }
        for (; i < to; i++) {
            double w = v[i];
            if (w != w) {
                nans++;
            } else if (w - w != 0) {
                infs++;
            } else {
                s0 += w;
                z += w == 0 ? 1 : 0;
                lo = w < lo ? w : lo;
                hi = w > hi ? w : hi;
                bf++;
            }
        }
        count += to - from;
        zeros += z;
        min = lo;
        max = hi;
        if (bf == 0) {
            return;
        }
        double bm = (s0 + s1) / bf;
        double m0 = 0;
        double m1 = 0;
        if (bad == 0 && bf == to - from) {
            int j = from;
            for (; j + 1 < to; j += 2) {
                double d0 = v[j] - bm;
                double d1 = v[j + 1] - bm;
                m0 += d0 * d0;
                m1 += d1 * d1;
            }
            if (j < to) {
                double d0 = v[j] - bm;
                m0 += d0 * d0;
            }
        } else {
            for (int j = from; j < to; j++) {
                double x = v[j];
                if (x - x == 0) {
                    double d = x - bm;
                    m0 += d * d;
                }
            }
        }
        merge(bf, bm, m0 + m1);
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
