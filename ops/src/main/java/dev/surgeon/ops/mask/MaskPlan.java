package dev.surgeon.ops.mask;

import com.google.gson.JsonObject;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.io.layers.Role;
import dev.surgeon.io.layers.TensorRole;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.safetensors.TensorInfo;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.TensorContent;
import dev.surgeon.io.write.TensorOrder;
import dev.surgeon.ops.content.SourceCast;
import dev.surgeon.ops.content.SourceCopy;
import dev.surgeon.ops.prune.comp.StructuredEdit;
import dev.surgeon.ops.structure.BlockConfig;
import dev.surgeon.ops.structure.SlicedMatrix;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fitted mask file ({@link MaskFit}) materialised as a plan for the writer.
 * <ul>
 *   <li>Weight masks: masked elements set to +0 in both modes (single elements cannot be removed).</li>
 *   <li>Heads, zero: the masked KV groups' rows of q/k/v (and biases) and their query heads' columns
 *       of o set to 0; remove: those rows and columns cut (GPT-2: the q, k, v thirds of the
 *       columns of {@code c_attn} and the rows of {@code c_proj}, zero mode only).</li>
 *   <li>Layers, zero: the block's o_proj and down_proj (weights and biases) set to 0, so the block
 *       adds nothing to the residual stream and is an identity; remove: its tensors dropped and the
 *       later blocks renumbered (through the {@link LayerMap}).</li>
 * </ul>
 * Slicing and zeroing stream through {@link SlicedMatrix} (F32, one encode); untouched tensors are
 * copied byte for byte or cast to {@code target}. Input order is kept unless a dtype changes.
 */
public final class MaskPlan {
    private final List<PlannedTensor> tensors;
    private final JsonObject config;
    private final Map<String, Long> zeroed;
    private final int[][] headsKept;
    private final long paramsBefore;
    private final long paramsAfter;

    private MaskPlan(List<PlannedTensor> tensors, JsonObject config, Map<String, Long> zeroed, int[][] headsKept,
                     long paramsBefore, long paramsAfter) {
        this.tensors = tensors;
        this.config = config;
        this.zeroed = zeroed;
        this.headsKept = headsKept;
        this.paramsBefore = paramsBefore;
        this.paramsAfter = paramsAfter;
    }

    /**
     * @param target output dtype of floating-point tensors; null keeps each tensor's
     * @throws InvalidInputException GPT-2 heads with {@code REMOVE}; a zeroed layer without o/down projection
     * @throws dev.surgeon.io.error.UsageException ragged head counts with {@code REMOVE} and no {@code allowRagged}
     */
    public static MaskPlan build(Checkpoint in, LayerMap layers, Masks masks, MaskFit fit, MaskMode mode,
                                 boolean allowRagged, DType target) {
        int blocks = layers.blockCount();
        boolean remove = mode == MaskMode.REMOVE;
        BlockAttention[] att = fit.attention();
        if (remove && att != null) {
            for (int b : fit.maskedGroups().keySet()) {
                if (att[b].fused() && fit.groupsOf(b).length > 0 && !fit.removedBlocks().contains(b)) {
                    throw new InvalidInputException(in.reference() + ": removing GPT-2 heads is not supported (its config "
                            + "derives the head width from n_embd / n_head, so fewer heads cannot be described); "
                            + "use --mode zero");
                }
            }
        }
        Map<String, HeadCuts.Cut> cuts = new LinkedHashMap<>();
        if (att != null) {
            for (int b : fit.maskedGroups().keySet()) {
                HeadCuts.add(cuts, att[b], fit.groupsOf(b));
            }
        }
        StructuredEdit edit = blocks == 0 ? null : new StructuredEdit(blocks, remove ? fit.removedBlocks() : null, Map.of());
        boolean[] zeroBlock = new boolean[blocks];
        if (!remove) {
            fit.removedBlocks().forEach(b -> zeroBlock[b] = true);
            checkIdentity(in, layers, fit);
        }
        List<PlannedTensor> out = new ArrayList<>();
        Map<String, Long> zeroed = new LinkedHashMap<>();
        long before = 0;
        long after = 0;
        boolean cast = false;
        for (TensorRef ref : in.tensors().values()) {
            TensorInfo t = ref.info();
            before += t.numel();
            TensorRole r = layers.roleOf(t.name());
            int block = r.inBlock() ? r.block() : -1;
            if (remove && block >= 0 && fit.removedBlocks().contains(block)) {
                continue;
            }
            String name = t.name();
            if (remove && block >= 0 && edit.outputIndex(block) != block) {
                name = layers.withBlock(name, edit.outputIndex(block));
            }
            boolean changes = target != null && t.dtype().isFloat() && t.dtype() != target;
            DType dt = changes ? target : t.dtype();
            cast |= changes;
            WeightMask wm = masks.weights().get(t.name());
            HeadCuts.Cut cut = cuts.get(t.name());
            boolean wholeZero = block >= 0 && zeroBlock[block] && (r.role() == Role.ATTN_O || r.role() == Role.MLP_DOWN);
            if (wm == null && cut == null && !wholeZero) {
                TensorContent copy = changes ? new SourceCast(ref, dt) : new SourceCopy(ref);
                out.add(new PlannedTensor(name, dt, t.shape(), copy));
                after += t.numel();
                continue;
            }
            long rows = t.rank() == 0 ? 1 : t.dim(0);
            long cols = rows == 0 ? 0 : t.numel() / rows;
            int[] keptRows = SlicedMatrix.allRows(rows);
            int[] keptCols = null;
            float[] rowScales = null;
            float[] colScales = null;
            long[] shape = t.shape();
            if (wholeZero) {
                rowScales = new float[keptRows.length]; // all 0
            } else if (cut != null && remove) {
                if (cut.columns()) {
                    keptCols = complement(cols, cut.indices());
                    shape[1] = keptCols.length;
                } else {
                    keptRows = complement(rows, cut.indices());
                    shape[0] = keptRows.length;
                }
            } else if (cut != null) {
                float[] s = new float[Math.toIntExact(cut.columns() ? cols : rows)];
                java.util.Arrays.fill(s, 1f);
                for (int i : cut.indices()) {
                    s[i] = 0f;
                }
                if (cut.columns()) {
                    colScales = s;
                } else {
                    rowScales = s;
                }
            }
            if (wm != null) {
                zeroed.put(t.name(), wm.masked());
            }
            out.add(new PlannedTensor(name, dt, shape, new SlicedMatrix(ref, dt, cols, keptRows, keptCols, colScales, rowScales,
                    wm == null ? null : wm.keep())));
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            after += n;
        }
        if (cast) {
            out.sort(TensorOrder.REFERENCE);
        }
        int[][] kept = headsKept(att, fit, blocks);
        JsonObject config = remove ? config(in, layers, fit, edit, kept, att, allowRagged) : null;
        return new MaskPlan(List.copyOf(out), config, zeroed, kept, before, after);
    }

    /** A zeroed block is an identity only when both residual writers (attention out, MLP down) are zeroed. */
    private static void checkIdentity(Checkpoint in, LayerMap layers, MaskFit fit) {
        for (int b : fit.removedBlocks()) {
            boolean o = false;
            boolean down = false;
            for (String n : in.names()) {
                TensorRole r = layers.roleOf(n);
                if (r.inBlock() && r.block() == b) {
                    o |= r.role() == Role.ATTN_O;
                    down |= r.role() == Role.MLP_DOWN;
                }
            }
            if (!o || !down) {
                throw new InvalidInputException(in.reference() + ": block " + b + " has no attention output or MLP down "
                        + "projection, so zeroing cannot turn it into an identity; use --mode remove");
            }
        }
    }

    private static int[] complement(long n, int[] sortedDrop) {
        int[] kept = new int[Math.toIntExact(n - sortedDrop.length)];
        int k = 0;
        int d = 0;
        for (int i = 0; i < n; i++) {
            if (d < sortedDrop.length && sortedDrop[d] == i) {
                d++;
            } else {
                kept[k++] = i;
            }
        }
        return kept;
    }

    /** Query and KV heads each input block keeps ([block][0 = query, 1 = kv]); null without a layout. */
    private static int[][] headsKept(BlockAttention[] att, MaskFit fit, int blocks) {
        if (att == null) {
            return null;
        }
        int[][] k = new int[blocks][2];
        for (int b = 0; b < blocks; b++) {
            int g = fit.groupsOf(b).length;
            k[b][0] = att[b].heads() - g * att[b].groupSize();
            k[b][1] = att[b].kvHeads() - g;
        }
        return k;
    }

    private static JsonObject config(Checkpoint in, LayerMap layers, MaskFit fit, StructuredEdit edit, int[][] kept,
                                     BlockAttention[] att, boolean allowRagged) {
        if (in.config() == null) {
            return null;
        }
        JsonObject c = in.config().deepCopy();
        if (edit != null && !fit.removedBlocks().isEmpty()) {
            BlockConfig.removeBlocks(c, edit.blockCount(), edit.keptBlocks());
        }
        if (att == null && c.has(HeadConfig.HEADS_PER_LAYER) && edit != null) {
            att = AttentionLayout.of(in, layers); // a ragged input: its lists lose the removed blocks
            kept = headsKept(att, fit, edit.blockCount());
        }
        if (att != null && edit != null) {
            int[] keptBlocks = edit.keptBlocks();
            int[] h = new int[keptBlocks.length];
            int[] kv = new int[keptBlocks.length];
            for (int i = 0; i < keptBlocks.length; i++) {
                h[i] = kept[keptBlocks[i]][0];
                kv[i] = kept[keptBlocks[i]][1];
            }
            HeadConfig.apply(c, h, kv, att[keptBlocks[0]].headDim(), allowRagged);
        }
        return c;
    }

    public List<PlannedTensor> tensors() {
        return tensors;
    }

    /** The output config.json (remove mode, when the input has one); null to copy the input's. */
    public JsonObject config() {
        return config == null ? null : config.deepCopy();
    }

    /** Elements a weight mask zeroed, by input tensor name. */
    public Map<String, Long> zeroed() {
        return java.util.Collections.unmodifiableMap(zeroed);
    }

    /** Query heads kept by input block {@code b}, or -1 when no head mask was given. */
    public int queryHeadsKept(int b) {
        return headsKept == null ? -1 : headsKept[b][0];
    }

    /** KV heads kept by input block {@code b}, or -1 when no head mask was given. */
    public int kvHeadsKept(int b) {
        return headsKept == null ? -1 : headsKept[b][1];
    }

    public long paramsBefore() {
        return paramsBefore;
    }

    public long paramsAfter() {
        return paramsAfter;
    }
}
