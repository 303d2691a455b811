package dev.surgeon.ops.mask;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which rows or columns of which tensor a block's masked KV groups own: q_proj rows (and q bias) of
 * the group's query heads, k/v_proj rows (and biases) of its KV head, o_proj columns of its query
 * heads; GPT-2 (Conv1D, [in, out]): the heads' columns in each of the q, k, v thirds of c_attn (and
 * those entries of its bias) and their rows of c_proj. {@link MaskPlan} zeroes or cuts them.
 */
final class HeadCuts {
    private HeadCuts() {
    }

    /** Sorted row (or column) indices of one tensor. */
    record Cut(boolean columns, int[] indices) {
    }

    /** Rows or columns each masked group touches, by tensor name. */
    static void add(Map<String, Cut> cuts, BlockAttention a, int[] groups) {
        if (groups.length == 0) {
            return;
        }
        int hd = a.headDim();
        int gs = a.groupSize();
        List<Integer> q = new ArrayList<>();
        List<Integer> kv = new ArrayList<>();
        for (int g : groups) {
            for (int i = g * gs * hd; i < (g + 1) * gs * hd; i++) {
                q.add(i);
            }
            for (int i = g * hd; i < (g + 1) * hd; i++) {
                kv.add(i);
            }
        }
        int[] qi = q.stream().mapToInt(Integer::intValue).toArray();
        int[] kvi = kv.stream().mapToInt(Integer::intValue).toArray();
        if (a.fused()) {
            // c_attn [d, 3·q] (Conv1D, [in, out]): the head's columns in each of the q, k, v thirds
            int width = a.heads() * hd;
            int[] thirds = new int[3 * qi.length];
            for (int t = 0; t < 3; t++) {
                for (int i = 0; i < qi.length; i++) {
                    thirds[t * qi.length + i] = t * width + qi[i];
                }
            }
            cuts.put(a.qkv(), new Cut(true, thirds));
            if (a.qkvBias() != null) {
                cuts.put(a.qkvBias(), new Cut(false, thirds));
            }
            cuts.put(a.o(), new Cut(false, qi)); // c_proj [q, d]: the heads' input rows
            return;
        }
        cuts.put(a.q(), new Cut(false, qi));
        cuts.put(a.k(), new Cut(false, kvi));
        cuts.put(a.v(), new Cut(false, kvi));
        cuts.put(a.o(), new Cut(true, qi));
        if (a.qBias() != null) {
            cuts.put(a.qBias(), new Cut(false, qi));
        }
        if (a.kBias() != null) {
            cuts.put(a.kBias(), new Cut(false, kvi));
        }
        if (a.vBias() != null) {
            cuts.put(a.vBias(), new Cut(false, kvi));
        }
    }

}
