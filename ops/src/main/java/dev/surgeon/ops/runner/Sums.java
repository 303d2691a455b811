package dev.surgeon.ops.runner;

/** Sums and maxima of float runs, with independent accumulators so the steps overlap (the JIT does not vectorise reductions). */
final class Sums {
    private Sums() {
    }

    static double of(float[] x, int from, int to) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = from;
        for (; i + 3 < to; i += 4) {
            s0 += x[i];
            s1 += x[i + 1];
            s2 += x[i + 2];
            s3 += x[i + 3];
        }
        for (; i < to; i++) {
            s0 += x[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** The largest of x[from, to) (to > from; no NaN expected). */
    static float max(float[] x, int from, int to) {
        float m0 = x[from];
        float m1 = m0;
        float m2 = m0;
        float m3 = m0;
        int i = from;
        for (; i + 3 < to; i += 4) {
            // plain comparisons: Math.max's NaN and −0 handling makes a slow dependency chain
            m0 = x[i] > m0 ? x[i] : m0;
            m1 = x[i + 1] > m1 ? x[i + 1] : m1;
            m2 = x[i + 2] > m2 ? x[i + 2] : m2;
            m3 = x[i + 3] > m3 ? x[i + 3] : m3;
        }
        for (; i < to; i++) {
            m0 = x[i] > m0 ? x[i] : m0;
        }
        m0 = m1 > m0 ? m1 : m0;
        m2 = m3 > m2 ? m3 : m2;
        return m2 > m0 ? m2 : m0;
    }
}
