package dev.surgeon.ops.merge;

import dev.surgeon.io.error.UsageException;

import java.util.Arrays;

/**
 * What a merge computes, validated and with every default filled in. Built from the options as the
 * user gave them ({@link Given}: null = not given); an option that does not apply to the chosen
 * method, a value outside its range or a list that does not parse is a usage error, never ignored.
 *
 * @param tasks     T, the number of fine-tuned models (task vectors)
 * @param lambda    the global scale λ of the merged task vector; NaN with {@code lines} (LiNeS sets it per block)
 * @param weights   w_t per task (task arithmetic, also after DARE); all 1 unless given
 * @param normalize divide the weights by their sum
 * @param density   TIES keep fraction d
 * @param dropRate  DARE drop probability p
 * @param rescale   DARE rescales kept entries by 1/(1 − p)
 * @param then      what combines the DARE-dropped task vectors: task arithmetic or TIES
 * @param t         SLERP interpolation factor(s): one value, or a list spread over block depth
 * @param seed      DARE's random seed
 * @param lines     apply LiNeS: per-block scale λ(ℓ) = α + β·ℓ/(L−1)
 * @param beta      LiNeS β
 */
public record MergeSpec(MergeMethod method, int tasks, double lambda, double[] weights, boolean normalize,
                        double density, double dropRate, boolean rescale, MergeMethod then, double[] t,
                        long seed, boolean lines, double beta) {

    public static final double DEFAULT_LAMBDA = 1.0;
    /** TIES keep fraction: the authors' k = 20 (percent kept). */
    public static final double DEFAULT_DENSITY = 0.2;
    /** DARE drop rate: MergeLM's default {@code --weight_mask_rate 0.1}. */
    public static final double DEFAULT_DROP_RATE = 0.1;
    public static final double DEFAULT_T = 0.5;
    /** LiNeS β for merging (METHODS.md; the authors' grid is 0.1 … 1.0). */
    public static final double DEFAULT_BETA = 0.5;

    /** The options as given on the command line; null (or false) where not given. */
    public record Given(String method, Double lambda, String weights, boolean normalize, Double density,
                        Double dropRate, boolean noRescale, String then, String t, Long seed,
                        boolean lines, Double beta) {
    }

    public MergeSpec {
        weights = weights.clone();
        t = t.clone();
    }

    @Override
    public double[] weights() {
        return weights.clone();
    }

    @Override
    public double[] t() {
        return t.clone();
    }

    /** Validates {@code g} for a merge of {@code tasks} fine-tuned models and fills the defaults. */
    public static MergeSpec resolve(Given g, int tasks) {
        if (g.method() == null) {
            throw new UsageException("--method is required: task-arithmetic, ties, dare or slerp");
        }
        MergeMethod m = MergeMethod.parse("--method", g.method());
        if (tasks < 1) {
            throw new UsageException("merge needs BASE and at least one fine-tuned model");
        }
        if (m == MergeMethod.SLERP && tasks != 1) {
            throw new UsageException("--method slerp interpolates BASE and exactly one model, but " + tasks + " were given");
        }
        MergeMethod then = null;
        if (m == MergeMethod.DARE) {
            then = g.then() == null ? MergeMethod.TASK_ARITHMETIC : MergeMethod.parse("--then", g.then());
            if (then != MergeMethod.TASK_ARITHMETIC && then != MergeMethod.TIES) {
                throw new UsageException("--then must be task-arithmetic or ties, not '" + g.then() + "'");
            }
        } else {
            notWith(g.then() != null, "--then", "--method dare");
            notWith(g.dropRate() != null, "--drop-rate", "--method dare");
            notWith(g.noRescale(), "--no-rescale", "--method dare");
        }
        boolean weighted = m == MergeMethod.TASK_ARITHMETIC || then == MergeMethod.TASK_ARITHMETIC;
        notWith(!weighted && g.weights() != null, "--weights", "task-arithmetic (or dare --then task-arithmetic)");
        notWith(!weighted && g.normalize(), "--normalize", "task-arithmetic (or dare --then task-arithmetic)");
        notWith(m != MergeMethod.TIES && g.density() != null, "--density", "--method ties (DARE uses --drop-rate)");
        notWith(m != MergeMethod.SLERP && g.t() != null, "--t", "--method slerp");
        if (m == MergeMethod.SLERP) {
            notWith(g.lambda() != null, "--lambda", "task-vector merges (slerp uses --t)");
            notWith(g.lines(), "--lines", "task-vector merges (not slerp)");
        }
        if (g.lines() && g.lambda() != null) {
            throw new UsageException("--lambda does not apply with --lines: LiNeS scales each block by alpha + beta*l/(L-1); tune --beta");
        }
        notWith(!g.lines() && g.beta() != null, "--beta", "--lines");

        double lambda = g.lines() ? Double.NaN : g.lambda() == null ? DEFAULT_LAMBDA : finite("--lambda", g.lambda());
        double[] weights = new double[tasks];
        Arrays.fill(weights, 1.0);
        if (g.weights() != null) {
            weights = parseList("--weights", g.weights());
            if (weights.length != tasks) {
                throw new UsageException("--weights has " + weights.length + " value(s) but " + tasks
                        + " fine-tuned model(s) were given");
            }
        }
        if (g.normalize() && Arrays.stream(weights).sum() == 0) {
            throw new UsageException("--normalize divides by the sum of the weights, which is 0");
        }
        double density = m == MergeMethod.TIES ? unit("--density", g.density() == null ? DEFAULT_DENSITY : g.density()) : Double.NaN;
        double dropRate = m == MergeMethod.DARE ? unit("--drop-rate", g.dropRate() == null ? DEFAULT_DROP_RATE : g.dropRate()) : Double.NaN;
        double[] t = new double[] {DEFAULT_T};
        if (g.t() != null) {
            t = parseList("--t", g.t());
            for (double v : t) {
                unit("--t", v);
            }
        }
        double beta = g.lines() ? finite("--beta", g.beta() == null ? DEFAULT_BETA : g.beta()) : Double.NaN;
        long seed = g.seed() == null ? 0 : g.seed();
        return new MergeSpec(m, tasks, lambda, weights, g.normalize(), density, dropRate, !g.noRescale(), then, t,
                seed, g.lines(), beta);
    }

    /** The merge that combines the (masked) task vectors: TIES for ties and dare --then ties, else task arithmetic. */
    public boolean tiesCombine() {
        return method == MergeMethod.TIES || then == MergeMethod.TIES;
    }

    /** The task-arithmetic coefficient c_t = w_t, or w_t / Σw with {@code normalize}. */
    public double[] coefficients() {
        double[] c = weights.clone();
        if (normalize) {
            double sum = Arrays.stream(weights).sum();
            for (int i = 0; i < c.length; i++) {
                c[i] /= sum;
            }
        }
        return c;
    }

    /** Comma-separated finite numbers, e.g. {@code 0.3,0.7}; anything else is a usage error naming the flag. */
    public static double[] parseList(String flag, String text) {
        String[] parts = text.split(",", -1);
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].trim();
            try {
                out[i] = Double.parseDouble(p);
            } catch (NumberFormatException e) {
                throw new UsageException(flag + " must be a comma-separated list of numbers, but '" + p + "' in '" + text + "' is not one");
            }
            if (p.isEmpty() || !Double.isFinite(out[i]) || !p.matches("[-+0-9.eE]+")) {
                throw new UsageException(flag + " must be a comma-separated list of numbers, but '" + p + "' in '" + text + "' is not one");
            }
        }
        return out;
    }

    private static double finite(String flag, double v) {
        if (!Double.isFinite(v)) {
            throw new UsageException(flag + " must be a finite number, not " + v);
        }
        return v;
    }

    private static double unit(String flag, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new UsageException(flag + " must be in [0, 1], not " + v);
        }
        return v;
    }

    private static void notWith(boolean given, String flag, String appliesTo) {
        if (given) {
            throw new UsageException(flag + " applies only to " + appliesTo);
        }
    }
}
