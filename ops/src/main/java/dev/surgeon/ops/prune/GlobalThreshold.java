package dev.surgeon.ops.prune;

import dev.surgeon.ops.align.TensorGroup;
import dev.surgeon.ops.exec.ChunkPass;
import dev.surgeon.ops.select.RadixSelect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Magnitude pruning with one comparison group over the whole model ({@code --group global}):
 * exactly ⌊N·S⌋ of the N prunable weights are pruned, the lowest |w|. The threshold is the exact
 * order statistic from two streaming {@link RadixSelect} passes over every prunable tensor; a third
 * pass counts, per tensor, the weights below and equal to it. Ties at the threshold are resolved
 * across tensors in the model's tensor order, then by logical flat index inside a tensor: the
 * first tensors get their tied weights pruned until the count is exact. Nothing is held but
 * counters; each pass reads the tensors chunk by chunk on {@code threads} workers.
 */
public final class GlobalThreshold {
    private GlobalThreshold() {
    }

    /** Per tensor (by name, in {@code targets}' order), the cut that makes the model total exact. */
    public static Map<String, KeyThreshold> compute(List<PrunableTensor> targets, double ratio, int threads) {
        long n = 0;
        List<TensorGroup> groups = new ArrayList<>(targets.size());
        for (PrunableTensor t : targets) {
            n += t.numel();
            groups.add(new TensorGroup(t.name(), List.of(t.ref()), t.role(), t.numel()));
        }
        long k = Selection.countOf(n, ratio);
        Map<String, KeyThreshold> out = new LinkedHashMap<>();
        if (k == 0) {
            targets.forEach(t -> out.put(t.name(), KeyThreshold.NOTHING));
            return out;
        }
        // the k-th smallest of n is the (n − k + 1)-th largest
        RadixSelect select = new RadixSelect(n - k + 1);
        while (!select.done()) {
            List<long[]> workers = new CopyOnWriteArrayList<>();
            ThreadLocal<long[]> local = ThreadLocal.withInitial(() -> {
                long[] c = RadixSelect.newCounts();
                workers.add(c);
                return c;
            });
            ChunkPass.map(groups, threads, (g, in, count, first) -> {
                select.count(local.get(), in[0], 0, count);
                return null;
            });
            workers.forEach(select::merge);
            select.endPass();
        }
        int key = (int) select.thresholdKey();
        Map<String, long[]> belowEqual = new LinkedHashMap<>();
        for (ChunkPass.Result<long[]> r : ChunkPass.map(groups, threads, (g, in, count, first) -> {
            float[] v = in[0];
            long below = 0;
            long equal = 0;
            for (int i = 0; i < count; i++) {
                int x = Float.floatToRawIntBits(v[i]) & 0x7fffffff;
                below += (x - key) >>> 31;
                equal += x == key ? 1 : 0;
            }
            return new long[] {below, equal};
        })) {
            long[] sum = belowEqual.computeIfAbsent(r.group().name(), s -> new long[2]);
            sum[0] += r.value()[0];
            sum[1] += r.value()[1];
        }
        long below = 0;
        for (long[] be : belowEqual.values()) {
            below += be[0];
        }
        long ties = k - below;
        for (PrunableTensor t : targets) {
            long[] be = belowEqual.getOrDefault(t.name(), new long[2]);
            long mine = Math.min(ties, be[1]);
            ties -= mine;
            out.put(t.name(), new KeyThreshold(key, mine));
        }
        if (ties != 0) {
            throw new IllegalStateException("global threshold: " + ties + " tied weights left unassigned");
        }
        return out;
    }
}
