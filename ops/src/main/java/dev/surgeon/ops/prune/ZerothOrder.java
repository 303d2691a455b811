package dev.surgeon.ops.prune;

import dev.surgeon.ops.exec.ElementReader;
import dev.surgeon.ops.runner.Perplexity;
import dev.surgeon.ops.runner.TransformerRunner;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * ECoFLaP stage 1: a zeroth-order estimate of each prunable tensor's importance. For each tensor W
 * and each calibration batch, one direction z ~ N(0, I) shaped like W, the LM loss with W + εz and
 * with W − εz (only W perturbed, in F32, through the runner's overrides; the checkpoint's values
 * are restored exactly afterwards), ĝ = (L₊ − L₋)/(2ε), and s_W += |ĝ|.
 *
 * <p>The loss is the mean next-token NLL of the batch ({@link Perplexity}'s convention: a window of
 * T+1 tokens feeds its first T and predicts its last T). Blocks go in order with every batch's
 * hidden state entering block i kept, so that state, the same for every perturbation of block i's
 * tensors, is computed once, each tensor is read once, and each loss runs blocks i..L−1 and the
 * head only.
 *
 * <p>z depends only on the seed, the tensor's index among the targets and the batch index, so the
 * draws are the same whatever the run, thread count or order of evaluation.
 */
public final class ZerothOrder {
    /** ECoFLaP's default perturbation size. */
    public static final double EPSILON = 1e-3;
    /** ECoFLaP's stage-1 batch: 32 samples in batches of 8. */
    public static final int BATCH = 8;

    private ZerothOrder() {
    }

    /**
     * s_W per target (same order as {@code targets}) over {@code windows} in batches of {@code batch}.
     * Targets must be inside blocks.
     */
    public static double[] scores(TransformerRunner runner, List<PrunableTensor> targets, int[][] windows, int batch,
                                  long seed, double epsilon, Consumer<String> progress) {
        if (windows.length == 0) {
            throw new IllegalArgumentException("no windows for the zeroth-order scores");
        }
        TreeMap<Integer, List<Integer>> byBlock = new TreeMap<>();
        for (int t = 0; t < targets.size(); t++) {
            byBlock.computeIfAbsent(targets.get(t).block(), k -> new ArrayList<>()).add(t);
        }
        double[] s = new double[targets.size()];
        if (byBlock.isEmpty()) {
            return s;
        }
        int batches = (windows.length + batch - 1) / batch;
        int[][][] win = new int[batches][][];
        List<INDArray> hidden = new ArrayList<>();
        try {
            for (int bi = 0; bi < batches; bi++) {
                int from = bi * batch;
                win[bi] = new int[Math.min(batch, windows.length - from)][];
                System.arraycopy(windows, from, win[bi], 0, win[bi].length);
                hidden.add(runner.embed(inputs(win[bi])));
            }
            // blocks outer, batches inner: each tensor is read once, and every batch's hidden state
            // entering block i is kept (one block's activations, as in sequential calibration)
            for (int i = 0; i <= byBlock.lastKey(); i++) {
                for (int t : byBlock.getOrDefault(i, List.of())) {
                    PrunableTensor target = targets.get(t);
                    float[] w = ElementReader.readAll(target.ref());
                    for (int bi = 0; bi < batches; bi++) {
                        float[] z = direction(seed, t, bi, (int) target.numel());
                        s[t] += Math.abs(estimate(runner, target.name(), w, z, epsilon, hidden.get(bi), i, win[bi]));
                    }
                }
                if (i < byBlock.lastKey()) {
                    for (int bi = 0; bi < batches; bi++) {
                        INDArray next = runner.block(i, hidden.get(bi));
                        Wanda.free(hidden.get(bi));
                        hidden.set(bi, next);
                    }
                }
                progress.accept("ecoflap stage 1: block " + (i + 1) + "/" + (byBlock.lastKey() + 1) + " scored");
            }
        } finally {
            hidden.forEach(Wanda::free);
        }
        return s;
    }

    /**
     * ĝ = (L(W + εz) − L(W − εz)) / (2ε) for tensor {@code name} with stored values {@code w} (F32),
     * where {@code hidden} enters block {@code block} and the loss is over {@code windows}. The
     * runner uses the checkpoint's values again afterwards.
     */
    public static double estimate(TransformerRunner runner, String name, float[] w, float[] z, double epsilon,
                                  INDArray hidden, int block, int[][] windows) {
        float[] p = new float[w.length];
        try {
            perturb(w, z, (float) epsilon, p);
            runner.override(name, p);
            double plus = loss(runner, hidden, block, windows);
            p = new float[w.length]; // the override keeps its array: a fresh one, not an edit
            perturb(w, z, (float) -epsilon, p);
            runner.override(name, p);
            double minus = loss(runner, hidden, block, windows);
            return (plus - minus) / (2 * epsilon);
        } finally {
            runner.override(name, null);
        }
    }

    /** Mean next-token NLL of {@code windows} when {@code hidden} enters block {@code from}. */
    public static double loss(TransformerRunner runner, INDArray hidden, int from, int[][] windows) {
        INDArray x = hidden;
        for (int i = from; i < runner.blockCount(); i++) {
            INDArray next = runner.block(i, x);
            if (x != hidden) {
                Wanda.free(x);
            }
            x = next;
        }
        INDArray logits = runner.head(x);
        if (x != hidden) {
            Wanda.free(x);
        }
        long tokens = logits.size(0) * logits.size(1);
        double sum = Perplexity.nllSum(logits, windows, 0);
        Wanda.free(logits);
        return sum / tokens;
    }

    /** The first T tokens of each window of T+1. */
    public static int[][] inputs(int[][] windows) {
        int[][] in = new int[windows.length][];
        for (int i = 0; i < windows.length; i++) {
            if (windows[i].length < 2) {
                throw new IllegalArgumentException("a loss window needs at least 2 tokens");
            }
            in[i] = java.util.Arrays.copyOf(windows[i], windows[i].length - 1);
        }
        return in;
    }

    /** z ~ N(0, I) of {@code n} values for tensor {@code tensor} and batch {@code batch}. */
    public static float[] direction(long seed, int tensor, int batch, int n) {
        Random rnd = new Random(mix(seed, tensor, batch));
        float[] z = new float[n];
        for (int i = 0; i < n; i++) {
            z[i] = (float) rnd.nextGaussian();
        }
        return z;
    }

    /** out = w + e·z in F32. */
    private static void perturb(float[] w, float[] z, float e, float[] out) {
        for (int i = 0; i < w.length; i++) {
            out[i] = w[i] + e * z[i];
        }
    }

    /** A seed for (seed, tensor, batch): SplitMix64's finalizer over the combined words. */
    static long mix(long seed, int tensor, int batch) {
        long x = seed;
        x = fmix(x ^ (0x9E3779B97F4A7C15L * (tensor + 1L)));
        x = fmix(x ^ (0xC2B2AE3D27D4EB4FL * (batch + 1L)));
        return x;
    }

    private static long fmix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
