package dev.surgeon.ops.diff;

/** Accumulates, in double, the sums two aligned streams of values need: Σ(a−b)², Σa², Σb², Σab, max|a−b|. */
public final class DeltaAccumulator {
    private double sumSqDelta;
    private double sumSqA;
    private double sumSqB;
    private double dot;
    private double maxAbsDelta;
    private long count;

    /** Adds the first {@code n} pairs of {@code a} and {@code b} (element i of each). */
    public void add(double[] a, double[] b, int n) {
        double sd = 0;
        double sa = 0;
        double sb = 0;
        double ab = 0;
        double mx = maxAbsDelta;
        for (int i = 0; i < n; i++) {
            double x = a[i];
            double y = b[i];
            double d = x - y;
            sd += d * d;
            sa += x * x;
            sb += y * y;
            ab += x * y;
            mx = Math.max(mx, Math.abs(d)); // NaN sticks
        }
        sumSqDelta += sd;
        sumSqA += sa;
        sumSqB += sb;
        dot += ab;
        maxAbsDelta = mx;
        count += n;
    }

    public double sumSqDelta() {
        return sumSqDelta;
    }

    public double sumSqA() {
        return sumSqA;
    }

    public double sumSqB() {
        return sumSqB;
    }

    public double dot() {
        return dot;
    }

    public double maxAbsDelta() {
        return maxAbsDelta;
    }

    public long count() {
        return count;
    }
}
