package dev.surgeon.ops.mask;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.ops.calib.Calibrator;
import dev.surgeon.ops.calib.NextTokenNll;
import dev.surgeon.ops.exec.ElementReader;
import dev.surgeon.ops.runner.TransformerRunner;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Importance of each KV group (one KV head and its query heads) of each block (METHODS.md, GTSP):
 * by ablation, the increase of the calibration NLL when the group's output is zeroed (its query
 * heads' columns of o_proj; rows of GPT-2's Conv1D c_proj); or data-free, ‖W_v[group rows]‖ times
 * the sum over its query heads h of ‖W_o[:, h]‖ (Frobenius norms).
 */
public final class HeadScores {
    private HeadScores() {
    }

    /** Data-free scores [block][group]. */
    public static double[][] dataFree(Checkpoint model, BlockAttention[] att) {
        double[][] out = new double[att.length][];
        for (int b = 0; b < att.length; b++) {
            BlockAttention a = att[b];
            int hd = a.headDim();
            float[] o = ElementReader.readAll(model.tensor(a.o()));
            long oRows = model.tensor(a.o()).info().dim(0);
            long oCols = model.tensor(a.o()).info().dim(1);
            double[] headNorm = new double[a.heads()];
            for (int h = 0; h < a.heads(); h++) {
                headNorm[h] = Math.sqrt(a.fused()
                        ? sumSquares(o, oCols, h * hd, (h + 1) * hd, 0, oCols)       // c_proj [in, out]: rows of h
                        : sumSquares(o, oCols, 0, oRows, h * hd, (h + 1) * hd));     // o_proj [out, in]: columns of h
            }
            double[] v = new double[a.kvHeads()];
            if (a.fused()) {
                float[] qkv = ElementReader.readAll(model.tensor(a.qkv()));
                long cols = model.tensor(a.qkv()).info().dim(1);
                long rows = model.tensor(a.qkv()).info().dim(0);
                long vStart = 2L * a.heads() * hd; // c_attn [d, 3·H·hd]: q, k, v thirds of the columns
                for (int g = 0; g < a.kvHeads(); g++) {
                    v[g] = Math.sqrt(sumSquares(qkv, cols, 0, rows, vStart + (long) g * hd, vStart + (long) (g + 1) * hd));
                }
            } else {
                float[] vw = ElementReader.readAll(model.tensor(a.v()));
                long cols = model.tensor(a.v()).info().dim(1);
                for (int g = 0; g < a.kvHeads(); g++) {
                    v[g] = Math.sqrt(sumSquares(vw, cols, (long) g * hd, (long) (g + 1) * hd, 0, cols));
                }
            }
            out[b] = new double[a.kvHeads()];
            for (int g = 0; g < a.kvHeads(); g++) {
                double s = 0;
                for (int h = g * a.groupSize(); h < (g + 1) * a.groupSize(); h++) {
                    s += headNorm[h];
                }
                out[b][g] = v[g] * s;
            }
        }
        return out;
    }

    /**
     * Ablation scores [block][group]: calibration NLL with the group zeroed minus the dense NLL.
     * The dense hidden states before block b are computed once and reused by every group of b.
     */
    public static double[][] ablation(TransformerRunner runner, Checkpoint model, BlockAttention[] att, int[][] windows,
                                      int batch, Consumer<String> say) {
        List<INDArray> prefix = Calibrator.embedAll(runner, windows, batch);
        try {
            double dense = nllFrom(runner, 0, prefix, windows);
            say.accept(String.format(Locale.ROOT, "heads: dense calibration NLL %.5f", dense));
            double[][] out = new double[att.length][];
            for (int b = 0; b < att.length; b++) {
                BlockAttention a = att[b];
                float[] o = ElementReader.readAll(model.tensor(a.o()));
                long oCols = model.tensor(a.o()).info().dim(1);
                out[b] = new double[a.kvHeads()];
                for (int g = 0; g < a.kvHeads(); g++) {
                    runner.override(a.o(), zeroGroup(o, oCols, a, g));
                    try {
                        out[b][g] = nllFrom(runner, b, prefix, windows) - dense;
                    } finally {
                        runner.override(a.o(), null);
                    }
                }
                say.accept("heads: block " + (b + 1) + "/" + att.length + " ablated");
                for (int k = 0; k < prefix.size(); k++) {
                    INDArray next = runner.block(b, prefix.get(k));
                    free(prefix.get(k));
                    prefix.set(k, next);
                }
            }
            return out;
        } finally {
            prefix.forEach(HeadScores::free);
        }
    }

    /** The keep mask over the H query heads of one block: its {@code keep} best groups, ties to the lower index. */
    public static boolean[] keep(double[] groupScores, int keep, int groupSize) {
        Integer[] order = new Integer[groupScores.length];
        for (int g = 0; g < order.length; g++) {
            order[g] = g;
        }
        java.util.Arrays.sort(order, (x, y) -> {
            int c = Double.compare(groupScores[y], groupScores[x]);
            return c != 0 ? c : Integer.compare(x, y);
        });
        boolean[] heads = new boolean[groupScores.length * groupSize];
        for (int i = 0; i < keep; i++) {
            int g = order[i];
            java.util.Arrays.fill(heads, g * groupSize, (g + 1) * groupSize, true);
        }
        return heads;
    }

    /** NLL of the windows when blocks from..L−1 run on {@code inputs} (not modified). */
    private static double nllFrom(TransformerRunner runner, int from, List<INDArray> inputs, int[][] windows) {
        List<INDArray> h = new ArrayList<>(inputs);
        try {
            for (int b = from; b < runner.blockCount(); b++) {
                for (int k = 0; k < h.size(); k++) {
                    INDArray next = runner.block(b, h.get(k));
                    if (b > from) {
                        free(h.get(k));
                    }
                    h.set(k, next);
                }
            }
            return NextTokenNll.of(runner, h, windows);
        } finally {
            if (runner.blockCount() > from) {
                h.forEach(HeadScores::free);
            }
        }
    }

    /** The o projection with group g's query heads zeroed: columns of o_proj [d, H·hd], rows of c_proj [H·hd, d]. */
    static float[] zeroGroup(float[] o, long cols, BlockAttention a, int g) {
        float[] z = o.clone();
        int hd = a.headDim();
        long from = (long) g * a.groupSize() * hd;
        long to = from + (long) a.groupSize() * hd;
        if (a.fused()) {
            java.util.Arrays.fill(z, (int) (from * cols), (int) (to * cols), 0f);
        } else {
            long rows = z.length / cols;
            for (long r = 0; r < rows; r++) {
                java.util.Arrays.fill(z, (int) (r * cols + from), (int) (r * cols + to), 0f);
            }
        }
        return z;
    }

    /** Σ x² over rows [r0, r1) and columns [c0, c1) of a row-major matrix with {@code cols} columns. */
    private static double sumSquares(float[] m, long cols, long r0, long r1, long c0, long c1) {
        double s = 0;
        for (long r = r0; r < r1; r++) {
            for (long c = c0; c < c1; c++) {
                double x = m[(int) (r * cols + c)];
                s += x * x;
            }
        }
        return s;
    }

    private static void free(INDArray a) {
        if (a != null && a.closeable()) {
            a.close();
        }
    }
}
