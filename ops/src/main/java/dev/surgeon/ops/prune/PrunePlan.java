package dev.surgeon.ops.prune;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.safetensors.TensorInfo;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.TensorContent;
import dev.surgeon.io.write.TensorOrder;
import dev.surgeon.ops.content.SourceCast;
import dev.surgeon.ops.content.SourceCopy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The output plan of {@code surgeon prune}: every tensor of the input; the prunable ones
 * ({@link Prunables}) cut by a {@link TensorPruner} ({@link MaskedTensor}), the others copied byte
 * for byte ({@link SourceCopy}) or cast when {@code --dtype} changes a floating-point dtype
 * ({@link SourceCast}). Whole-model quantities (a global threshold, Wanda/ECoFLaP masks) are found
 * before the plan is built; the write pass then reads each tensor once. With no dtype change the
 * input's tensor order is kept; otherwise tensors take the reference writer's order. After the
 * write, {@link #facts()} holds per tensor what was pruned and how sparse it came out.
 */
public final class PrunePlan implements AutoCloseable {
    private final List<PlannedTensor> tensors;
    private final Map<String, PruneFacts> facts;
    private final PruneAhead ahead;

    private PrunePlan(List<PlannedTensor> tensors, Map<String, PruneFacts> facts, PruneAhead ahead) {
        this.tensors = tensors;
        this.facts = facts;
        this.ahead = ahead;
    }

    /**
     * @param target   output dtype of floating-point tensors; null keeps each tensor's
     * @param threads  pruned tensors computed at once (each holds the tensor in F32 while it is cut)
     * @param progress called after each pruned tensor is computed (from the writing thread); may be null
     */
    public static PrunePlan build(Checkpoint in, List<PrunableTensor> targets, TensorPruner pruner, DType target,
                                  int threads, Runnable progress) {
        Map<String, PrunableTensor> byName = new HashMap<>();
        targets.forEach(t -> byName.put(t.name(), t));
        PruneAhead ahead = new PruneAhead(threads, progress);
        Map<String, PruneFacts> facts = new LinkedHashMap<>();
        List<PlannedTensor> out = new ArrayList<>();
        boolean changed = false;
        for (TensorRef ref : in.tensors().values()) {
            TensorInfo t = ref.info();
            PrunableTensor p = byName.get(t.name());
            boolean cast = target != null && t.dtype().isFloat() && t.dtype() != target;
            DType dt = cast ? target : t.dtype();
            changed |= cast;
            if (p != null) {
                PruneFacts f = new PruneFacts(p, dt);
                facts.put(p.name(), f);
                out.add(new PlannedTensor(t.name(), dt, t.shape(), new MaskedTensor(p, dt, pruner, f, ahead)));
            } else {
                TensorContent copy = cast ? new SourceCast(ref, dt) : new SourceCopy(ref);
                // the first write of any tensor sets the workers going on the pruned ones
                out.add(new PlannedTensor(t.name(), dt, t.shape(), sink -> {
                    ahead.start();
                    copy.writeTo(sink);
                }));
            }
        }
        if (changed) {
            out.sort(TensorOrder.REFERENCE);
        }
        List<MaskedTensor> order = new ArrayList<>();
        for (PlannedTensor t : out) {
            if (t.content() instanceof MaskedTensor m) {
                order.add(m);
            }
        }
        ahead.order(order);
        // facts in the targets' (model) order
        Map<String, PruneFacts> ordered = new LinkedHashMap<>();
        targets.forEach(t -> ordered.put(t.name(), facts.get(t.name())));
        return new PrunePlan(List.copyOf(out), Collections.unmodifiableMap(ordered), ahead);
    }

    /** The tensors to write, in write order. */
    public List<PlannedTensor> tensors() {
        return tensors;
    }

    /** Per pruned tensor, in the model's tensor order; complete once the plan has been written. */
    public Map<String, PruneFacts> facts() {
        return facts;
    }

    /** Stops computing ahead (after a failed write). */
    @Override
    public void close() {
        ahead.cancel();
    }
}
