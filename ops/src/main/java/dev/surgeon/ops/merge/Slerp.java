package dev.surgeon.ops.merge;

/**
 * Spherical linear interpolation of two tensors, flattened (as arcee-ai/mergekit's {@code slerp}):
 * the angle comes from normalised copies (a vector with norm ≤ 1e-8 is used as it is); when
 * |cos Ω| &gt; 0.9995 the vectors are nearly collinear and the result is the linear (1 − t)·v0 + t·v1,
 * else sin((1 − t)Ω)/sin Ω·v0 + sin(tΩ)/sin Ω·v1, applied to the original (unnormalised) vectors.
 * A tensor needs a first pass for the dot product and norms ({@link Sums}, in double), then one
 * pass to write.
 */
public final class Slerp {
    public static final double DOT_THRESHOLD = 0.9995;
    public static final double EPS = 1e-8;

    private Slerp() {
    }

    /** The two factors of a tensor's result c0·v0 + c1·v1, with the cosine they came from. */
    public record Coefficients(double t, double c0, double c1, double cos, boolean linear) {
    }

    /** Σ v0·v1, Σ v0², Σ v1² over a tensor, accumulated chunk by chunk. */
    public static final class Sums {
        private double dot;
        private double norm0;
        private double norm1;

        public void add(float[] v0, float[] v1, int n) {
            double d = 0;
            double a = 0;
            double b = 0;
            for (int i = 0; i < n; i++) {
                double x = v0[i];
                double y = v1[i];
                d += x * y;
                a += x * x;
                b += y * y;
            }
            dot += d;
            norm0 += a;
            norm1 += b;
        }

        /** Adds another part's sums (call in a fixed order: they are floating point). */
        public void add(Sums o) {
            dot += o.dot;
            norm0 += o.norm0;
            norm1 += o.norm1;
        }

        /** The cosine of the angle between the normalised copies (a near-zero vector is not normalised). */
        public double cos() {
            double n0 = Math.sqrt(norm0);
            double n1 = Math.sqrt(norm1);
            return dot / (n0 > EPS ? n0 : 1) / (n1 > EPS ? n1 : 1);
        }
    }

    public static Coefficients coefficients(Sums sums, double t) {
        return coefficients(sums.cos(), t);
    }

    public static Coefficients coefficients(double cos, double t) {
        if (Math.abs(cos) > DOT_THRESHOLD || Double.isNaN(cos)) {
            return new Coefficients(t, 1 - t, t, cos, true);
        }
        double omega = Math.acos(cos);
        double sin = Math.sin(omega);
        return new Coefficients(t, Math.sin((1 - t) * omega) / sin, Math.sin(t * omega) / sin, cos, false);
    }
}
