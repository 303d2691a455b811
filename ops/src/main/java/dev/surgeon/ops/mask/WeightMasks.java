package dev.surgeon.ops.mask;

import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.ops.exec.ElementReader;
import dev.surgeon.ops.prune.GlobalThreshold;
import dev.surgeon.ops.prune.PrunableTensor;
import dev.surgeon.ops.prune.Selection;
import dev.surgeon.ops.select.RadixSelect;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * GTSP's weight masks (METHODS.md): global magnitude at keep-density D over the prunable tensors,
 * keeping |w| strictly above the threshold t, the ⌊n·(1 − D)⌋-th smallest |w| of the n weights
 * (of the model, or of each block with {@code perBlock}); weights equal to t are masked, so at most
 * about D·n are kept. Each mask is computed while it is written, one chunk at a time.
 */
public final class WeightMasks {
    private WeightMasks() {
    }

    /** One U8 {@code <tensor>.mask} per target, in the targets' order, and how many each keeps (filled when written). */
    public static List<PlannedTensor> plan(List<PrunableTensor> targets, double density, boolean perBlock, int threads,
                                           Map<String, long[]> kept) {
        Map<Integer, List<PrunableTensor>> groups = new TreeMap<>();
        for (PrunableTensor t : targets) {
            groups.computeIfAbsent(perBlock ? t.block() : 0, k -> new ArrayList<>()).add(t);
        }
        // per tensor the smallest key kept (0 keeps everything). The cut's key is the ⌊n·(1 − D)⌋-th
        // smallest |w| itself, so strict "> threshold" keeps the keys above it: every weight equal
        // to the threshold is masked, whatever share of the ties the cut would have pruned.
        Map<String, Long> keys = new LinkedHashMap<>();
        for (List<PrunableTensor> g : groups.values()) {
            long n = g.stream().mapToLong(PrunableTensor::numel).sum();
            if (Selection.countOf(n, 1 - density) == 0) {
                g.forEach(t -> keys.put(t.name(), 0L));
                continue;
            }
            Map<String, dev.surgeon.ops.prune.KeyThreshold> cut = GlobalThreshold.compute(g, 1 - density, threads);
            cut.forEach((name, k) -> keys.put(name, k.key() + 1));
        }
        List<PlannedTensor> out = new ArrayList<>();
        for (PrunableTensor t : targets) {
            long from = keys.get(t.name());
            long[] count = kept.computeIfAbsent(t.name(), k -> new long[2]);
            out.add(new PlannedTensor(t.name() + MaskFile.WEIGHT_SUFFIX, DType.U8, t.ref().info().shape(), sink -> {
                ElementReader r = new ElementReader(t.ref());
                float[] v = new float[r.blockSize()];
                ByteBuffer b = ByteBuffer.allocate(r.blockSize());
                for (long first = 0; first < r.numel(); first += r.blockSize()) {
                    int n = (int) Math.min(r.blockSize(), r.numel() - first);
                    r.readFloats(first, n, v, 0);
                    b.clear();
                    long keep = 0;
                    for (int i = 0; i < n; i++) {
                        boolean k = RadixSelect.key(v[i]) >= from;
                        b.put(k ? (byte) 1 : 0);
                        keep += k ? 1 : 0;
                    }
                    b.flip();
                    sink.write(b);
                    count[0] += keep;
                    count[1] += n;
                }
            }));
        }
        return out;
    }
}
