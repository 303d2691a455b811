package dev.surgeon.ops.average;

import dev.surgeon.io.layers.Kind;
import dev.surgeon.io.layers.Role;
import dev.surgeon.io.layers.TensorRole;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.ops.align.AlignedModels;
import dev.surgeon.ops.align.ElementwisePlan;
import dev.surgeon.ops.align.TensorGroup;
import dev.surgeon.ops.content.Elementwise;

import java.util.ArrayList;
import java.util.List;

/**
 * The AMA plan (METHODS.md, "AMA"): θ = (1 − W)·θ_PRE + W·θ_POST with W the weight of POST, in
 * one of three modes.
 * <ul>
 * <li>MA: every tensor gets the global W.</li>
 * <li>Partwise: block N gets W_k of its part k; embeddings (and any other tensor outside blocks)
 * part 0's W_0; the final norm and lm_head the global W — as the authors' code does.</li>
 * <li>HMA: part weights W_k = 1 − r_k from logits ({@link HmaRatios}); only the Linear weights of
 * blocks (2-D attention and MLP weights) get W_k and lm_head the global W; everything else
 * (embeddings, norms, biases) is copied from PRE.</li>
 * </ul>
 * The authors' code states ratios as r = 1 − W, the weight of PRE; the report gives both.
 */
public final class Ama {
    /** The averaging mode. */
    public enum Mode {
        MA, PARTWISE, HMA;

        public String jsonName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The paper's default W (the authors' r = 0.2). */
    public static final double DEFAULT_WEIGHT = 0.8;

    private final Mode mode;
    private final double weight;
    private final Parts parts;
    private final double[] partWeights;
    private final double[] logits;
    private final double epsilon;
    private final List<String> warnings;

    private Ama(Mode mode, double weight, Parts parts, double[] partWeights, double[] logits, double epsilon, List<String> warnings) {
        this.mode = mode;
        this.weight = weight;
        this.parts = parts;
        this.partWeights = partWeights;
        this.logits = logits;
        this.epsilon = epsilon;
        this.warnings = List.copyOf(warnings);
    }

    /** Plain MA with POST weight {@code weight}. */
    public static Ama plain(double weight) {
        checkUnit("--weight", weight);
        return new Ama(Mode.MA, weight, null, null, null, Double.NaN, List.of());
    }

    /** Partwise MA: {@code ratios[k]} is the POST weight of part k; one per part. */
    public static Ama partwise(double weight, Parts parts, double[] ratios) {
        checkUnit("--weight", weight);
        checkCount("ratios", ratios.length, parts);
        for (double r : ratios) {
            checkUnit("ratio", r);
        }
        return new Ama(Mode.PARTWISE, weight, parts, ratios.clone(), null, Double.NaN, List.of());
    }

    /** HMA: part weights from {@code logits} and ε around r = 1 − W, clamped to [0,1] with a warning. */
    public static Ama hma(double weight, Parts parts, double[] logits, double epsilon) {
        checkUnit("--weight", weight);
        checkCount("logits", logits.length, parts);
        if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
            throw new dev.surgeon.io.error.UsageException("epsilon must be a finite number >= 0, not " + epsilon);
        }
        double[] r = HmaRatios.preWeights(logits, epsilon, 1 - weight);
        double[] w = new double[r.length];
        List<String> warnings = new ArrayList<>();
        for (int k = 0; k < r.length; k++) {
            double wk = 1 - r[k];
            if (wk < 0 || wk > 1) {
                double c = Math.min(1, Math.max(0, wk));
                warnings.add("HMA part " + k + ": POST weight 1 - r_k = " + wk + " (r_k = " + r[k] + ") is outside [0,1]; clamped to " + c);
                wk = c;
            }
            w[k] = wk;
        }
        return new Ama(Mode.HMA, weight, parts, w, logits.clone(), epsilon, warnings);
    }

    private static void checkUnit(String what, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new dev.surgeon.io.error.UsageException(what + " " + v + " is outside [0,1] (it is the weight of POST)");
        }
    }

    private static void checkCount(String what, int n, Parts parts) {
        if (n != parts.count()) {
            throw new dev.surgeon.io.error.UsageException(n + " " + what + " given but the model's " + parts.blockCount()
                    + " blocks are split into " + parts.count() + " parts " + parts.describe() + " (" + parts.source()
                    + "); give one per part, or choose the split with --pivots or --blocks");
        }
    }

    public Mode mode() {
        return mode;
    }

    /** The global POST weight W. */
    public double weight() {
        return weight;
    }

    /** The split into parts; null in MA mode. */
    public Parts parts() {
        return parts;
    }

    /** The POST weight W_k of each part (after clamping); null in MA mode. */
    public double[] partWeights() {
        return partWeights == null ? null : partWeights.clone();
    }

    /** HMA logits; null otherwise. */
    public double[] logits() {
        return logits == null ? null : logits.clone();
    }

    /** HMA ε; NaN otherwise. */
    public double epsilon() {
        return epsilon;
    }

    /** Clamping warnings (HMA). */
    public List<String> warnings() {
        return warnings;
    }

    /** The POST weight of block {@code block}'s part (W in MA mode). */
    public double blockWeight(int block) {
        return parts == null ? weight : partWeights[parts.partOf(block)];
    }

    /** The part of block {@code block} (0 in MA mode). */
    public int partOf(int block) {
        return parts == null ? 0 : parts.partOf(block);
    }

    /**
     * The POST weight applied to a tensor, or null when it is copied from PRE (HMA: everything but
     * the Linear weights of blocks and lm_head).
     */
    public Double weightOf(TensorRole role, long[] shape) {
        switch (mode) {
            case MA:
                return weight;
            case PARTWISE:
                if (role.inBlock()) {
                    return blockWeight(role.block());
                }
                if (role.role() == Role.HEAD || role.role() == Role.NORM) {
                    return weight;
                }
                return partWeights[0];
            case HMA:
                if (isLinearWeight(role, shape)) {
                    return blockWeight(role.block());
                }
                if (role.role() == Role.HEAD && role.kind() == Kind.WEIGHT && shape.length == 2) {
                    return weight;
                }
                return null;
            default:
                throw new IllegalStateException(mode.name());
        }
    }

    /** A block's 2-D attention or MLP weight (q, k, v, o, fused qkv, gate, up, fused gate_up, down). */
    public static boolean isLinearWeight(TensorRole role, long[] shape) {
        return role.inBlock() && role.kind() == Kind.WEIGHT && shape.length == 2
                && (role.role().isAttention() || role.role().isMlp());
    }

    /**
     * (1 − W)·in[0] + W·in[1] (in[0] = PRE, in[1] = POST) in F32, which the JIT vectorises (the
     * double form is 20 times slower); W = 0 or 1 gives an input exactly.
     */
    public static Elementwise.Kernel kernel(double w) {
        float wf = (float) w;
        float v = (float) (1 - w);
        return (in, out, n, first) -> {
            float[] pre = in[0];
            float[] post = in[1];
            for (int i = 0; i < n; i++) {
                out[i] = v * pre[i] + wf * post[i];
            }
        };
    }

    /**
     * The output plan; tensors HMA leaves alone (and non-float ones) are copied from PRE; each
     * tensor's chunks are computed on {@code threads} threads.
     */
    public List<PlannedTensor> plan(AlignedModels models, DType outDtype, int threads) {
        return ElementwisePlan.build(models, outDtype, threads, g -> {
            Double w = weightOf(g.role(), g.shape());
            return w == null ? null : kernel(w);
        });
    }

    /** The POST weight of a planned group, 0 for a copy from PRE. */
    public double effectiveWeight(TensorGroup g) {
        if (!g.isFloat()) {
            return 0;
        }
        Double w = weightOf(g.role(), g.shape());
        return w == null ? 0 : w;
    }
}
