package dev.surgeon.ops.prune.comp;

import dev.surgeon.ops.calib.Calibrator;
import dev.surgeon.ops.runner.Perplexity;
import dev.surgeon.ops.runner.TransformerRunner;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * One COMP candidate carried out on the forward pass, block by block: a removed block is skipped
 * (its input passes on unchanged); a kept block's MLP Gram matrix is collected on the activations
 * the edited blocks before it produce, its neurons chosen and tuned, and the edited block is run
 * (its weights overridden, then restored) to give the next block's input. At the end the head
 * scores the calibration sequences: the candidate's NLL.
 */
final class SequentialPass {
    private SequentialPass() {
    }

    static Comp.Outcome run(TransformerRunner runner, Comp.Model m, int[][] windows, Comp.Request request,
                            Comp.Plan plan, Consumer<String> say) {
        TreeSet<Integer> removed = new TreeSet<>(plan.removed());
        Map<Integer, BlockEdit> edits = new LinkedHashMap<>();
        List<INDArray> hidden = Calibrator.embedAll(runner, windows, request.batch());
        try {
            for (int b = 0; b < m.mlps().size(); b++) {
                if (removed.contains(b)) {
                    continue;
                }
                MlpTensors mlp = m.mlps().get(b);
                int keep = mlp.width() - plan.removeOf(b);
                if (keep == mlp.width()) {
                    BlockRun.advance(runner, b, hidden);
                    continue;
                }
                BlockRun r = BlockRun.of(runner, b, hidden, mlp, false);
                BlockEdit e = BlockEdit.of(m.checkpoint(), mlp, r.gramSum(), r.tokens(), keep, request);
                edits.put(b, e);
                float[][] w = e.weights(m.checkpoint());
                runner.override(mlp.gate(), w[0]);
                runner.override(mlp.up(), w[1]);
                runner.override(mlp.down(), w[2]);
                try {
                    BlockRun.advance(runner, b, hidden);
                } finally {
                    runner.override(mlp.gate(), null);
                    runner.override(mlp.up(), null);
                    runner.override(mlp.down(), null);
                }
                MaskTuning.Outcome t = e.tuning();
                say.accept(String.format(Locale.ROOT, "block %d: keeps %d of %d neurons, error %.4f -> %.4f%s", b, keep,
                        mlp.width(), t.errorBefore(), t.errorAfter(), t.fallback() == null ? "" : " (" + t.fallback()
                                + "; scales left at 1)"));
            }
            double nll = nll(runner, hidden, windows, request.batch());
            return new Comp.Outcome(plan, edits, nll, m.budget().after(plan.removed(), plan.kept(), plan.remove()));
        } finally {
            hidden.forEach(BlockRun::free);
        }
    }

    /** Mean NLL of tokens 2..T of each window given the tokens before (the head on the final hidden states). */
    private static double nll(TransformerRunner runner, List<INDArray> hidden, int[][] windows, int batch) {
        double total = 0;
        long count = 0;
        int from = 0;
        for (INDArray h : hidden) {
            INDArray logits = runner.head(h);
            long t = logits.size(1);
            // positions 0..T−2 predict tokens 1..T−1: the window itself is then "T−1 + 1" tokens long
            INDArray head = logits.get(NDArrayIndex.all(), NDArrayIndex.interval(0, t - 1), NDArrayIndex.all()).dup('c');
            BlockRun.free(logits);
            total += Perplexity.nllSum(head, windows, from);
            BlockRun.free(head);
            count += h.size(0) * (t - 1);
            from += (int) h.size(0);
        }
        return total / count;
    }
}
