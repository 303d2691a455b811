package dev.surgeon.ops.align;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.io.layers.Role;
import dev.surgeon.io.safetensors.Shapes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Models lined up tensor by tensor for element-wise methods (scale, merge, average). They must hold
 * the same tensor names, shapes, dtypes and block count; the first difference is an invalid-input
 * error naming the tensor. Embedding and lm_head rows may differ (added tokens) only with
 * {@code vocabBase}, and then the base's rows are used from every model.
 */
public final class AlignedModels {
    private final Checkpoint base;
    private final List<Checkpoint> others;
    private final LayerMap layers;
    private final List<TensorGroup> groups;

    private AlignedModels(Checkpoint base, List<Checkpoint> others, LayerMap layers, List<TensorGroup> groups) {
        this.base = base;
        this.others = List.copyOf(others);
        this.layers = layers;
        this.groups = List.copyOf(groups);
    }

    public static AlignedModels of(Checkpoint base, List<Checkpoint> others, boolean vocabBase) {
        LayerMap layers = new LayerMap(base.names(), base.config());
        // Names first, so the usual mismatch (a tensor only on one side) is reported by name.
        for (Checkpoint o : others) {
            for (String n : o.names()) {
                if (base.tensor(n) == null) {
                    throw new InvalidInputException(o.reference() + ": tensor '" + n + "' is not in " + base.reference());
                }
            }
            for (String n : base.names()) {
                if (o.tensor(n) == null) {
                    throw new InvalidInputException(o.reference() + ": tensor '" + n + "' of " + base.reference() + " is missing");
                }
            }
            LayerMap lo = new LayerMap(o.names(), o.config());
            if (lo.blockCount() != layers.blockCount()) {
                throw new InvalidInputException(o.reference() + " has " + lo.blockCount() + " blocks but "
                        + base.reference() + " has " + layers.blockCount());
            }
        }
        List<TensorGroup> groups = new ArrayList<>(base.tensors().size());
        for (TensorRef b : base.tensors().values()) {
            List<TensorRef> refs = new ArrayList<>();
            refs.add(b);
            long numel = b.info().numel();
            for (Checkpoint o : others) {
                TensorRef r = o.tensor(b.name());
                if (r == null) {
                    throw new InvalidInputException(o.reference() + ": tensor '" + b.name() + "' of " + base.reference() + " is missing");
                }
                if (r.info().dtype() != b.info().dtype()) {
                    throw new InvalidInputException(o.reference() + ": tensor '" + b.name() + "' is " + r.info().dtype()
                            + " but " + b.info().dtype() + " in " + base.reference() + " (convert one first)");
                }
                if (!Arrays.equals(r.info().shape(), b.info().shape())) {
                    checkVocab(base, o, b, r, layers.roleOf(b.name()).role(), vocabBase);
                }
                refs.add(r);
            }
            groups.add(new TensorGroup(b.name(), refs, layers.roleOf(b.name()), numel));
        }
        return new AlignedModels(base, others, layers, groups);
    }

    /** A shape difference is allowed only in the rows of embeddings / lm_head, and only with --vocab base. */
    private static void checkVocab(Checkpoint base, Checkpoint o, TensorRef b, TensorRef r, Role role, boolean vocabBase) {
        long[] bs = b.info().shape();
        long[] rs = r.info().shape();
        boolean rowsOnly = bs.length == rs.length && bs.length >= 1
                && Arrays.equals(Arrays.copyOfRange(bs, 1, bs.length), Arrays.copyOfRange(rs, 1, rs.length));
        boolean vocabTensor = role == Role.EMBED || role == Role.HEAD;
        String what = o.reference() + ": tensor '" + b.name() + "' has shape " + Shapes.format(rs) + " but "
                + Shapes.format(bs) + " in " + base.reference();
        if (!(rowsOnly && vocabTensor)) {
            throw new InvalidInputException(what);
        }
        if (!vocabBase) {
            throw new InvalidInputException(what + " (vocabulary sizes differ; pass --vocab base to use the base's rows)");
        }
        if (rs[0] < bs[0]) {
            throw new InvalidInputException(what + " (fewer rows than the base: --vocab base cannot fill them)");
        }
    }

    public Checkpoint base() {
        return base;
    }

    public List<Checkpoint> others() {
        return others;
    }

    /** The base's layer map; every model has the same block count. */
    public LayerMap layers() {
        return layers;
    }

    public int blockCount() {
        return layers.blockCount();
    }

    /** One group per base tensor, in the base's order. */
    public List<TensorGroup> groups() {
        return groups;
    }
}
