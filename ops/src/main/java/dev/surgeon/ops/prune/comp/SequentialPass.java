package dev.surgeon.ops.prune.comp;

import dev.surgeon.ops.calib.Calibrator;
import dev.surgeon.ops.calib.NextTokenNll;
import dev.surgeon.ops.exec.ElementReader;
import dev.surgeon.ops.runner.TransformerRunner;
import org.nd4j.linalg.api.ndarray.INDArray;

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
                float[] down = ElementReader.readAll(m.checkpoint().tensor(mlp.down()));
                BlockEdit e = BlockEdit.of(m.checkpoint(), mlp, down, r.gramSum(), r.tokens(), keep, request);
                edits.put(b, e);
                float[][] w = e.weights(m.checkpoint(), down);
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
            double nll = NextTokenNll.of(runner, hidden, windows);
            return new Comp.Outcome(plan, edits, nll, m.budget().after(plan.removed(), plan.kept(), plan.remove()));
        } finally {
            hidden.forEach(BlockRun::free);
        }
    }
}
