package dev.surgeon.ops.prune;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * ECoFLaP's per-group keep budget (METHODS.md, "Allocation"): of N prunable weights keep
 * K = ⌊N·(1 − s)⌋; every group g first keeps its floor k_g = ⌈n_g·(1 − s_max)⌉ with
 * s_max = min(s + 0.1, 1); while Σk_g < K the remainder R = K − Σk_g is shared in proportion to the
 * scores S_g (k_g += ⌈S_g/ΣS·R⌉), capping k_g at n_g and zeroing the score of a full group; when
 * every score left is zero the remainder goes in proportion to n_g. Rounding up can overshoot K:
 * the excess is then taken back one weight at a time from the group with the largest k_g (the
 * lowest index among equals), never below its floor. (The authors' code adds there instead; we
 * subtract so that the total is K.) A pure function of its inputs.
 */
public final class Allocation {
    /** How far above the target sparsity a group may go (s_max = s + MARGIN). */
    public static final BigDecimal MARGIN = new BigDecimal("0.1");

    private Allocation() {
    }

    /**
     * @param sizes    n_g, weights per group (≥ 0)
     * @param scores   S_g, non-negative importance per group (NaN counts as 0)
     * @param sparsity target sparsity s in [0, 1]
     * @return k_g, the weights each group keeps
     */
    public static long[] keep(long[] sizes, double[] scores, double sparsity) {
        if (sizes.length != scores.length) {
            throw new IllegalArgumentException(sizes.length + " groups but " + scores.length + " scores");
        }
        if (!(sparsity >= 0 && sparsity <= 1)) {
            throw new IllegalArgumentException("sparsity " + sparsity + " outside [0, 1]");
        }
        // decimal arithmetic so that s = 0.6 gives ⌈n·0.3⌉ = 0.3·n for n = 10, not 0.30000000000000004·n
        BigDecimal s = BigDecimal.valueOf(sparsity);
        BigDecimal sMax = s.add(MARGIN).min(BigDecimal.ONE);
        int g = sizes.length;
        long total = 0;
        for (long n : sizes) {
            if (n < 0) {
                throw new IllegalArgumentException("negative group size " + n);
            }
            total += n;
        }
        long budget = times(total, BigDecimal.ONE.subtract(s), RoundingMode.FLOOR);
        long[] k = new long[g];
        long[] floor = new long[g];
        double[] score = new double[g];
        long sum = 0;
        for (int i = 0; i < g; i++) {
            floor[i] = Math.min(sizes[i], times(sizes[i], BigDecimal.ONE.subtract(sMax), RoundingMode.CEILING));
            k[i] = floor[i];
            sum += k[i];
            double v = scores[i];
            if (v < 0 || Double.isInfinite(v)) {
                throw new IllegalArgumentException("score " + v + " of group " + i + " is not a finite non-negative number");
            }
            score[i] = k[i] >= sizes[i] || Double.isNaN(v) ? 0 : v;
        }
        while (sum < budget) {
            long remainder = budget - sum;
            double weightSum = 0;
            for (double v : score) {
                weightSum += v;
            }
            // every score left is zero: share by size among the groups that are not full
            boolean bySize = weightSum == 0;
            if (bySize) {
                for (int i = 0; i < g; i++) {
                    if (k[i] < sizes[i]) {
                        weightSum += sizes[i];
                    }
                }
            }
            for (int i = 0; i < g; i++) {
                if (k[i] >= sizes[i]) {
                    continue;
                }
                double w = bySize ? sizes[i] : score[i];
                long add = (long) Math.ceil(w / weightSum * remainder);
                long next = Math.min(sizes[i], k[i] + add);
                sum += next - k[i];
                k[i] = next;
                if (k[i] >= sizes[i]) {
                    score[i] = 0;
                }
            }
        }
        while (sum > budget) {
            int at = -1;
            for (int i = 0; i < g; i++) {
                if (k[i] > floor[i] && (at < 0 || k[i] > k[at])) {
                    at = i;
                }
            }
            if (at < 0) {
                break; // the floors alone exceed K (groups under 10 weights); nothing may be taken
            }
            k[at]--;
            sum--;
        }
        return k;
    }

    /** s_g = 1 − k_g/n_g (0 for an empty group). */
    public static double sparsity(long keep, long size) {
        return size == 0 ? 0 : 1 - (double) keep / size;
    }

    /** ⌊n·f⌋ or ⌈n·f⌉ in exact decimal arithmetic. */
    static long times(long n, BigDecimal f, RoundingMode mode) {
        return BigDecimal.valueOf(n).multiply(f).setScale(0, mode).longValueExact();
    }
}
