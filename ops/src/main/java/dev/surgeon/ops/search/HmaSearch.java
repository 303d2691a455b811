package dev.surgeon.ops.search;

import dev.surgeon.io.safetensors.DType;
import dev.surgeon.ops.align.AlignedModels;
import dev.surgeon.ops.average.Ama;
import dev.surgeon.ops.average.HmaRatios;
import dev.surgeon.ops.average.Parts;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * HMA ratio search with forward passes only (METHODS.md, "AMA", ratio search): minimise
 * mean proxy NLL of the HMA-averaged model + reg·Σ_k w(ℓ_k)·|r_k − r|, with r = 1 − W, r_k the
 * part's PRE weight, ℓ_k the middle block of part k and w(ℓ) = 25/(|ℓ − L/2| + 1), over the K
 * logits s_k. Coordinate search: start at s_k = logit(r) (equal ratios); step δ = 1, 0.5, 0.25, …;
 * in each pass every coordinate (in a seeded order) tries s_k ± δ (seeded sign order) and keeps a
 * move only when the objective strictly improves; δ halves after a pass without improvement. The
 * budget is {@code steps} evaluations after the start. The result is never worse than the start.
 */
public final class HmaSearch {
    /** The regulariser's weight. */
    public static final double REG = 1e-4;

    private HmaSearch() {
    }

    /** One evaluated point: logits, POST weights W_k, PRE weights r_k (unclamped), NLL, penalty, objective. */
    public record Point(double[] logits, double[] weights, double[] preWeights, double nll, double penalty, double objective) {
    }

    /** One evaluation of the search (0 is the start): its NLL and objective, the best objective so far, and whether it was taken. */
    public record Step(int evaluation, double nll, double objective, double bestObjective, boolean accepted) {
    }

    /**
     * MA's NLL at W, the equal-ratio start, the best point found (at evaluation {@code bestAt}), how
     * many candidates were evaluated, and every evaluation in order.
     */
    public record Result(double maNll, Point start, Point best, int evaluations, int bestAt, List<Step> trace, List<String> warnings) {
    }

    /** w(ℓ) = 25 / (|ℓ − L/2| + 1). */
    static double depthWeight(double block, int blockCount) {
        return 25 / (Math.abs(block - blockCount / 2.0) + 1);
    }

    /** reg·Σ_k w(ℓ_k)·|r_k − r|, ℓ_k the middle block of part k. */
    static double penalty(Parts parts, double[] preWeights, double r) {
        int[] pivots = parts.pivots();
        double sum = 0;
        int start = 0;
        for (int k = 0; k < parts.count(); k++) {
            int end = k < pivots.length ? pivots[k] + 1 : parts.blockCount();
            int middle = (start + end - 1) / 2;
            sum += depthWeight(middle, parts.blockCount()) * Math.abs(preWeights[k] - r);
            start = end;
        }
        return REG * sum;
    }

    /**
     * Runs the search. {@code progress} receives one line per evaluation.
     */
    public static Result run(AlignedModels models, Parts parts, double weight, double epsilon, int[][] windows,
                             int steps, long seed, int threads, Consumer<String> progress) {
        List<int[][]> sets = List.<int[][]>of(windows);
        double r = 1 - weight;
        double maNll = Nll.ofPlan(Ama.plain(weight).plan(models, DType.F32, threads), models.base(), sets)[0];
        progress.accept(String.format(java.util.Locale.ROOT, "MA at W %.4g: proxy NLL %.5f", weight, maNll));
        int k = parts.count();
        double[] s = new double[k];
        java.util.Arrays.fill(s, HmaRatios.startLogit(r));
        List<String> warnings = new ArrayList<>();
        Point start = evaluate(models, parts, weight, epsilon, s, sets, threads, warnings);
        progress.accept(describe("start (equal ratios)", start));
        Point best = start;
        int bestAt = 0;
        List<Step> trace = new ArrayList<>();
        trace.add(new Step(0, start.nll(), start.objective(), start.objective(), true));
        SplittableRandom random = new SplittableRandom(seed);
        double delta = 1.0;
        int evaluations = 0;
        while (evaluations < steps && delta >= 1.0 / 1024) {
            boolean improved = false;
            int[] order = permutation(k, random);
            for (int c = 0; c < k && evaluations < steps; c++) {
                int i = order[c];
                double sign = random.nextBoolean() ? 1 : -1;
                for (int d = 0; d < 2 && evaluations < steps; d++) {
                    double[] cand = best.logits().clone();
                    cand[i] += (d == 0 ? sign : -sign) * delta;
                    Point p = evaluate(models, parts, weight, epsilon, cand, sets, threads, warnings);
                    evaluations++;
                    boolean accept = p.objective() < best.objective();
                    progress.accept(describe("step " + evaluations + "/" + steps + " part " + i + " delta "
                            + (d == 0 ? sign : -sign) * delta + (accept ? " (accepted)" : ""), p));
                    if (accept) {
                        best = p;
                        bestAt = evaluations;
                    }
                    trace.add(new Step(evaluations, p.nll(), p.objective(), best.objective(), accept));
                    if (accept) {
                        improved = true;
                        break;
                    }
                }
            }
            if (!improved) {
                delta /= 2;
            }
        }
        return new Result(maNll, start, best, evaluations, bestAt, List.copyOf(trace), List.copyOf(warnings));
    }

    private static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static Point evaluate(AlignedModels models, Parts parts, double weight, double epsilon, double[] logits,
                                  List<int[][]> sets, int threads, List<String> warnings) {
        Ama ama = Ama.hma(weight, parts, logits, epsilon);
        for (String w : ama.warnings()) {
            if (!warnings.contains(w)) {
                warnings.add(w);
            }
        }
        double nll = Nll.ofPlan(ama.plan(models, DType.F32, threads), models.base(), sets)[0];
        double[] pre = HmaRatios.preWeights(logits, epsilon, 1 - weight);
        double pen = penalty(parts, pre, 1 - weight);
        return new Point(logits.clone(), ama.partWeights(), pre, nll, pen, nll + pen);
    }

    private static String describe(String what, Point p) {
        StringBuilder sb = new StringBuilder(what).append(": W_k");
        for (double w : p.weights()) {
            sb.append(String.format(java.util.Locale.ROOT, " %.4f", w));
        }
        return sb.append(String.format(java.util.Locale.ROOT, ", NLL %.5f, objective %.5f", p.nll(), p.objective())).toString();
    }
}
