package dev.surgeon.ops.search;

import dev.surgeon.io.safetensors.DType;
import dev.surgeon.ops.align.AlignedModels;
import dev.surgeon.ops.scale.Lines;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * LiNeS α search (METHODS.md, "LiNeS", search objective): α sweeps 1.0, 0.9, …, 0 (β = 1 − α, or
 * the given β); each candidate θ_0 + λ(ℓ)·τ is scored by NLL on a target and a control set:
 * target_kept = (NLL_t(base) − NLL_t(edit)) / (NLL_t(base) − NLL_t(ft)),
 * control_recovered = (NLL_c(ft) − NLL_c(edit)) / (NLL_c(ft) − NLL_c(base)),
 * score = 2·target_kept + control_recovered. The first α with the highest score wins.
 */
public final class LinesSearch {
    /** The authors' sweep. */
    public static final double[] ALPHAS = {1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0};

    private LinesSearch() {
    }

    /** One candidate of the sweep. */
    public record Row(double alpha, double beta, double nllTarget, double nllControl, double kept, double recovered, double score) {
    }

    /** The end points and the sweep; {@code best} is the chosen row. */
    public record Result(double targetBase, double targetFt, double controlBase, double controlFt, List<Row> rows, Row best) {
    }

    /** (a − b) / (a − c): the fraction of the way from a to c that b has gone; 0 when a = c. */
    static double fraction(double from, double value, double to) {
        double d = from - to;
        return d == 0 ? 0 : (from - value) / d;
    }

    /**
     * Sweeps α over {@link #ALPHAS}; {@code models} holds BASE and one fine-tune; {@code progress}
     * receives each row as it is scored.
     */
    public static Result run(AlignedModels models, Double beta, int[][] target, int[][] control, int threads, Consumer<Row> progress) {
        List<int[][]> sets = List.of(target, control);
        double[] base = Nll.of(models.base(), sets);
        double[] ft = Nll.of(models.others().get(0), sets);
        List<Row> rows = new ArrayList<>();
        Row best = null;
        for (double alpha : ALPHAS) {
            Lines lines = Lines.of(alpha, beta, models.blockCount());
            double[] e = Nll.ofPlan(lines.plan(models, DType.F32, threads), models.base(), sets);
            double kept = fraction(base[0], e[0], ft[0]);
            double recovered = fraction(ft[1], e[1], base[1]);
            Row row = new Row(alpha, lines.beta(), e[0], e[1], kept, recovered, 2 * kept + recovered);
            rows.add(row);
            progress.accept(row);
            if (best == null || row.score() > best.score()) {
                best = row;
            }
        }
        return new Result(base[0], ft[0], base[1], ft[1], List.copyOf(rows), best);
    }
}
