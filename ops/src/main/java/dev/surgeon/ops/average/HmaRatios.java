package dev.surgeon.ops.average;

/**
 * HMA part ratios from logits, in the authors' code convention (METHODS.md, "AMA"): with r = 1 − W
 * the weight of PRE, part k gets r_k = r·K·(σ(s_k)+ε) / Σ_j (σ(s_j)+ε), so the mean of the r_k is
 * r whatever the logits; its POST weight is W_k = 1 − r_k.
 */
public final class HmaRatios {
    /** The authors' ε. */
    public static final double DEFAULT_EPSILON = 0.2;

    private HmaRatios() {
    }

    /** The PRE weights r_k (authors' convention) of the K parts; unclamped, so r_k may exceed 1. */
    public static double[] preWeights(double[] logits, double epsilon, double r) {
        int k = logits.length;
        if (k == 0) {
            throw new IllegalArgumentException("no logits");
        }
        double[] g = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            g[i] = sigmoid(logits[i]) + epsilon;
            sum += g[i];
        }
        double[] rk = new double[k];
        for (int i = 0; i < k; i++) {
            rk[i] = r * k * g[i] / sum;
        }
        return rk;
    }

    /** The logit at which a search starts: logit(r), so that σ(s_k) = r for every part. */
    public static double startLogit(double r) {
        return Math.log(r / (1 - r));
    }

    /** 1 / (1 + e^−s), without overflow for large |s|. */
    public static double sigmoid(double s) {
        if (s >= 0) {
            return 1 / (1 + Math.exp(-s));
        }
        double e = Math.exp(s);
        return e / (1 + e);
    }
}
