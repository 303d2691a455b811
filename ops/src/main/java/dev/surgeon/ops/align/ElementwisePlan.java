package dev.surgeon.ops.align;

import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.TensorOrder;
import dev.surgeon.ops.content.Elementwise;
import dev.surgeon.ops.content.SourceCast;
import dev.surgeon.ops.content.SourceCopy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The output plan of an element-wise method: every base tensor, computed by the method's kernel
 * where it gives one (floating-point tensors), else copied from the base (integer buffers, masks,
 * pass-through dtypes, or tensors the method leaves alone). Output dtype: each tensor's own, or
 * {@code outDtype} for floating-point tensors when given (copies of the base included). Tensors
 * take the reference writer's order.
 */
public final class ElementwisePlan {
    private ElementwisePlan() {
    }

    /**
     * {@code kernels} returns null for a group the method copies from the base unchanged. Kernels
     * run on the writing thread.
     */
    public static List<PlannedTensor> build(AlignedModels models, DType outDtype, Function<TensorGroup, Elementwise.Kernel> kernels) {
        return build(models, outDtype, 1, kernels);
    }

    /**
     * As above, each tensor's chunks computed on {@code threads} worker threads (the kernels must
     * then be thread-safe: see {@link Elementwise.Kernel}); the output bytes do not depend on it.
     */
    public static List<PlannedTensor> build(AlignedModels models, DType outDtype, int threads,
                                            Function<TensorGroup, Elementwise.Kernel> kernels) {
        List<PlannedTensor> out = new ArrayList<>(models.groups().size());
        for (TensorGroup g : models.groups()) {
            Elementwise.Kernel k = g.isFloat() ? kernels.apply(g) : null;
            long[] shape = g.shape();
            if (k == null && outDtype != null && g.isFloat() && g.dtype() != outDtype) {
                // copied from the base, but --dtype still applies to every floating-point tensor
                out.add(new PlannedTensor(g.name(), outDtype, shape, new SourceCast(g.base(), outDtype)));
            } else if (k == null) {
                out.add(new PlannedTensor(g.name(), g.dtype(), shape, new SourceCopy(g.base())));
            } else {
                DType dt = outDtype != null ? outDtype : g.dtype();
                out.add(new PlannedTensor(g.name(), dt, shape, new Elementwise(g, dt, k, threads)));
            }
        }
        out.sort(TensorOrder.REFERENCE);
        return out;
    }
}
