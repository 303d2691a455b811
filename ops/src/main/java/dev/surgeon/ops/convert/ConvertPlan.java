package dev.surgeon.ops.convert;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.safetensors.TensorInfo;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.TensorOrder;
import dev.surgeon.ops.content.SourceCast;
import dev.surgeon.ops.content.SourceCopy;

import java.util.ArrayList;
import java.util.List;

/**
 * The plan of {@code surgeon convert}: every tensor of the input, floating-point ones cast to the
 * requested dtype (integers, bools and pass-through types keep theirs). With no dtype change the
 * input's data order is kept, so a rewrite reproduces the data section byte for byte; otherwise
 * tensors take the reference writer's order.
 */
public final class ConvertPlan {
    private ConvertPlan() {
    }

    /** {@code target} null keeps every dtype. */
    public static List<PlannedTensor> build(Checkpoint in, DType target) {
        List<PlannedTensor> out = new ArrayList<>();
        boolean changed = false;
        for (TensorRef ref : in.tensors().values()) {
            TensorInfo t = ref.info();
            if (target != null && t.dtype().isFloat() && t.dtype() != target) {
                out.add(new PlannedTensor(t.name(), target, t.shape(), new SourceCast(ref, target)));
                changed = true;
            } else {
                out.add(new PlannedTensor(t.name(), t.dtype(), t.shape(), new SourceCopy(ref)));
            }
        }
        if (changed) {
            out.sort(TensorOrder.REFERENCE);
        }
        return out;
    }
}
