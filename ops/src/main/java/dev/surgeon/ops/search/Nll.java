package dev.surgeon.ops.search;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.util.TempFiles;
import dev.surgeon.io.write.AtomicOutput;
import dev.surgeon.io.write.CheckpointWriter;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.ops.data.Windows;
import dev.surgeon.ops.runner.Perplexity;
import dev.surgeon.ops.runner.Runners;
import dev.surgeon.ops.runner.TransformerRunner;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Mean next-token NLL of a model on evaluation windows, for the searches. A candidate model is
 * given as a plan (the same plan the command would write): it is written in F32 to a temporary
 * folder, opened as a checkpoint, evaluated with {@link Perplexity} and deleted, so the search
 * evaluates exactly what the command writes, by one code path.
 */
public final class Nll {
    private Nll() {
    }

    /**
     * Evaluation windows of T+1 tokens ({@link Windows#evaluation}), thinned to at most
     * {@code maxWindows} evenly spaced ones (window i·n/max for i = 0…max−1) to bound the cost.
     */
    public static int[][] windows(int[] ids, int t, int maxWindows) {
        if (maxWindows < 1) {
            throw new UsageException("--max-windows must be at least 1, not " + maxWindows);
        }
        int[][] all = Windows.evaluation(ids, t);
        if (all.length <= maxWindows) {
            return all;
        }
        int[][] out = new int[maxWindows][];
        for (int i = 0; i < maxWindows; i++) {
            out[i] = all[(int) ((long) i * all.length / maxWindows)];
        }
        return out;
    }

    /** Mean NLL of {@code model} on each set of windows. */
    public static double[] of(Checkpoint model, List<int[][]> windowSets) {
        try (TransformerRunner runner = Runners.open(model)) {
            double[] out = new double[windowSets.size()];
            for (int i = 0; i < out.length; i++) {
                int[][] w = windowSets.get(i);
                int t = w[0].length - 1;
                out[i] = Perplexity.evaluate(runner, w, Perplexity.defaultBatch(runner, t), done -> { }).meanNll();
            }
            return out;
        }
    }

    /**
     * Mean NLL on each set of windows of the model that {@code plan} describes (planned in F32),
     * with the side files (config.json, tokenizer) of {@code like}; written to a temporary folder
     * that is deleted before returning.
     */
    public static double[] ofPlan(List<PlannedTensor> plan, Checkpoint like, List<int[][]> windowSets) {
        Path dir = TempFiles.createDirectory("surgeon-search-");
        try {
            Path target = dir.resolve("candidate");
            try (AtomicOutput out = AtomicOutput.begin(target, false)) {
                CheckpointWriter.write(out, plan, new CheckpointWriter.Options(Map.of("format", "pt"), 0, like.sideFiles(), like.config()));
                out.commit();
            }
            try (Checkpoint c = Checkpoint.open(target.toString())) {
                return of(c, windowSets);
            }
        } finally {
            TempFiles.delete(dir);
        }
    }
}
