package dev.surgeon.ops.prune.comp;

import com.google.gson.JsonObject;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.io.layers.TensorRole;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.safetensors.TensorInfo;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.TensorContent;
import dev.surgeon.io.write.TensorOrder;
import dev.surgeon.ops.content.SourceCast;
import dev.surgeon.ops.content.SourceCopy;
import dev.surgeon.ops.structure.SlicedMatrix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The output of structured pruning ({@link StructuredEdit}) as a plan for the writer: removed blocks'
 * tensors dropped, later blocks renumbered to consecutive indices (through the {@link LayerMap}),
 * gate/up_proj rows (and bias entries) and down_proj columns of the dropped neurons cut, each kept
 * down_proj column multiplied by its scale ({@link SlicedMatrix}, F32 math, one output encode), and
 * every other tensor copied byte for byte or cast to {@code target}. Like {@code PrunePlan}, the
 * input's tensor order is kept (renamed) when no dtype changes, else the reference writer's order;
 * both are deterministic. Nothing is read until the plan is written, and then one tensor at a time.
 */
public final class StructuredPlan {
    private final List<PlannedTensor> tensors;
    private final JsonObject config;
    private final int[] widths;

    private StructuredPlan(List<PlannedTensor> tensors, JsonObject config, int[] widths) {
        this.tensors = tensors;
        this.config = config;
        this.widths = widths;
    }

    /**
     * @param layers the input's layer map ({@code new LayerMap(in.names(), in.config())})
     * @param target output dtype of floating-point tensors; null keeps each tensor's
     * @throws InvalidInputException when the architecture has no separate gate/up/down_proj in
     *                               every block, or the edit does not fit the model
     */
    public static StructuredPlan build(Checkpoint in, LayerMap layers, StructuredEdit edit, DType target) {
        if (target != null && !target.isFloat()) {
            throw new InvalidInputException("output dtype " + target + " is not a floating-point dtype");
        }
        if (edit.blockCount() != layers.blockCount()) {
            throw new InvalidInputException(in.reference() + ": the edit is for " + edit.blockCount()
                    + " blocks, the model has " + layers.blockCount());
        }
        MlpBlocks mlp = MlpBlocks.of(in, layers);
        checkDeclaredSizes(in, mlp);
        int[] widths = outputWidths(in, mlp, edit);

        List<PlannedTensor> out = new ArrayList<>();
        boolean cast = false;
        for (TensorRef ref : in.tensors().values()) {
            TensorInfo t = ref.info();
            TensorRole r = layers.roleOf(t.name());
            int block = r.inBlock() ? r.block() : -1;
            if (block >= 0 && edit.removedBlocks().contains(block)) {
                continue;
            }
            String name = t.name();
            if (block >= 0 && edit.outputIndex(block) != block) {
                name = layers.withBlock(name, edit.outputIndex(block));
            }
            boolean changes = target != null && t.dtype().isFloat() && t.dtype() != target;
            DType dt = changes ? target : t.dtype();
            cast |= changes;
            BlockNeurons n = block >= 0 ? edit.neurons().get(block) : null;
            if (n != null && mlp.isNeuronRows(block, t.name())) {
                long cols = t.rank() == 1 ? 1 : t.dim(1);
                long[] shape = t.rank() == 1 ? new long[] {n.width()} : new long[] {n.width(), cols};
                out.add(new PlannedTensor(name, dt, shape, new SlicedMatrix(ref, dt, cols, n.kept(), null, null)));
            } else if (n != null && mlp.isNeuronColumns(block, t.name())) {
                long rows = t.dim(0);
                out.add(new PlannedTensor(name, dt, new long[] {rows, n.width()},
                        new SlicedMatrix(ref, dt, t.dim(1), SlicedMatrix.allRows(rows), n.kept(), n.scales())));
            } else {
                TensorContent copy = changes ? new SourceCast(ref, dt) : new SourceCopy(ref);
                out.add(new PlannedTensor(name, dt, t.shape(), copy));
            }
        }
        if (cast) {
            out.sort(TensorOrder.REFERENCE);
        }
        return new StructuredPlan(List.copyOf(out), StructuredConfig.of(in.config(), edit, widths), widths);
    }

    /** The tensors to write, in write order. */
    public List<PlannedTensor> tensors() {
        return tensors;
    }

    /**
     * The output config.json ({@code num_hidden_layers}, {@code intermediate_size},
     * {@code intermediate_sizes} and per-block lists updated); null when the input has none.
     * A fresh copy each call.
     */
    public JsonObject config() {
        return config == null ? null : config.deepCopy();
    }

    /** The MLP width of each output block. */
    public int[] widths() {
        return widths.clone();
    }

    /** Kept widths per output block; every neuron index must lie inside its block's input width. */
    private static int[] outputWidths(Checkpoint in, MlpBlocks mlp, StructuredEdit edit) {
        int[] kept = edit.keptBlocks();
        int[] w = new int[kept.length];
        for (int i = 0; i < kept.length; i++) {
            int b = kept[i];
            BlockNeurons n = edit.neurons().get(b);
            if (n != null && n.maxIndex() >= mlp.width(b)) {
                throw new InvalidInputException(in.reference() + ": block " + b + " keeps MLP neuron " + n.maxIndex()
                        + " but its MLP has " + mlp.width(b));
            }
            w[i] = n == null ? mlp.width(b) : n.width();
        }
        return w;
    }

    /** A model pruned before declares its widths; they must be what its weights hold. */
    private static void checkDeclaredSizes(Checkpoint in, MlpBlocks mlp) {
        int[] declared = StructuredConfig.declaredSizes(in.config());
        if (declared != null && !Arrays.equals(declared, mlp.widths())) {
            throw new InvalidInputException(in.reference() + ": config.json intermediate_sizes "
                    + Arrays.toString(declared) + " disagrees with the MLP widths in the weights "
                    + Arrays.toString(mlp.widths()));
        }
    }
}
