package dev.surgeon.ops.diff;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.io.layers.Role;
import dev.surgeon.io.layers.TensorRole;
import dev.surgeon.io.safetensors.TensorInfo;
import dev.surgeon.ops.exec.ElementReader;
import dev.surgeon.ops.exec.OrderedParallel;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares two checkpoints tensor by tensor: names only in A or only in B, header mismatches, and
 * for every tensor both hold with the same shape the norms of the difference, streamed chunk by
 * chunk in lockstep (the same element range of both tensors at a time, decoded to double), so
 * memory holds two blocks whatever the models' size. Blocks come from A's layer map.
 */
public final class ModelDiff {
    private final List<String> onlyInA;
    private final List<String> onlyInB;
    private final List<Mismatch> mismatches;
    private final List<TensorDelta> deltas;
    private final List<Skipped> skipped;
    private final List<BlockDelta> blocks;
    private final BlockDelta total;

    private ModelDiff(List<String> onlyInA, List<String> onlyInB, List<Mismatch> mismatches, List<TensorDelta> deltas,
                      List<Skipped> skipped, List<BlockDelta> blocks, BlockDelta total) {
        this.onlyInA = List.copyOf(onlyInA);
        this.onlyInB = List.copyOf(onlyInB);
        this.mismatches = List.copyOf(mismatches);
        this.deltas = List.copyOf(deltas);
        this.skipped = List.copyOf(skipped);
        this.blocks = List.copyOf(blocks);
        this.total = total;
    }

    /** Compares A with B on one thread per CPU; every list is sorted by tensor name. */
    public static ModelDiff compare(Checkpoint a, Checkpoint b) {
        return compare(a, b, OrderedParallel.defaultThreads());
    }

    /**
     * Compares A with B, reading up to {@code threads} tensor pairs at a time; every list is sorted
     * by tensor name, and the results do not depend on the thread count.
     */
    public static ModelDiff compare(Checkpoint a, Checkpoint b, int threads) {
        LayerMap map = new LayerMap(a.names(), a.config());
        TreeSet<String> names = new TreeSet<>(a.names());
        names.addAll(b.names());
        List<String> onlyA = new ArrayList<>();
        List<String> onlyB = new ArrayList<>();
        List<Mismatch> mismatches = new ArrayList<>();
        List<String> toCompare = new ArrayList<>();
        List<String> opaque = new ArrayList<>();
        for (String name : names) {
            TensorRef ta = a.tensor(name);
            TensorRef tb = b.tensor(name);
            if (tb == null) {
                onlyA.add(name);
                continue;
            }
            if (ta == null) {
                onlyB.add(name);
                continue;
            }
            TensorInfo ia = ta.info();
            TensorInfo ib = tb.info();
            if (!Arrays.equals(ia.shape(), ib.shape())) {
                mismatches.add(new Mismatch(name, Mismatch.Kind.SHAPE, ia.dtype(), ia.shape(), ib.dtype(), ib.shape()));
                continue;
            }
            if (ia.dtype() != ib.dtype()) {
                mismatches.add(new Mismatch(name, Mismatch.Kind.DTYPE, ia.dtype(), ia.shape(), ib.dtype(), ib.shape()));
            }
            if (ia.dtype().decodable() && ib.dtype().decodable()) {
                toCompare.add(name);
            } else {
                opaque.add(name);
            }
        }
        List<TensorDelta> deltas = OrderedParallel.map(toCompare, threads, name -> {
            TensorRole role = map.roleOf(name);
            return delta(a.tensor(name), b.tensor(name), role.block(), role.role());
        });
        List<Skipped> skipped = OrderedParallel.map(opaque, threads, name -> {
            TensorInfo ia = a.tensor(name).info();
            TensorInfo ib = b.tensor(name).info();
            String what = !ia.dtype().decodable() ? ia.dtype().name() : ib.dtype().name();
            Boolean same = ia.dtype() == ib.dtype() ? bytesEqual(a.tensor(name), b.tensor(name)) : null;
            return new Skipped(name, what + " is not decodable", same);
        });
        Map<Integer, BlockDelta> blocks = new TreeMap<>();
        BlockDelta total = new BlockDelta(-1, 0, 0, 0, 0, 0);
        for (TensorDelta d : deltas) { // name order: sums do not depend on scheduling
            total = total.plus(d);
            if (d.block() >= 0) {
                blocks.put(d.block(), blocks.getOrDefault(d.block(), new BlockDelta(d.block(), 0, 0, 0, 0, 0)).plus(d));
            }
        }
        return new ModelDiff(onlyA, onlyB, mismatches, deltas, skipped, new ArrayList<>(blocks.values()), total);
    }

    /**
     * The delta of two decodable tensors with the same number of elements, read in lockstep.
     *
     * @param block block index to record (-1 outside blocks)
     */
    public static TensorDelta delta(TensorRef a, TensorRef b, int block, Role role) {
        TensorInfo ia = a.info();
        TensorInfo ib = b.info();
        if (ia.numel() != ib.numel()) {
            throw new IllegalArgumentException("'" + ia.name() + "': " + ia.numel() + " vs " + ib.numel() + " elements");
        }
        DeltaAccumulator acc = new DeltaAccumulator();
        ElementReader ra = new ElementReader(a);
        ElementReader rb = new ElementReader(b);
        long n = ia.numel();
        int step = Math.min(ra.blockSize(), rb.blockSize());
        for (long first = 0; first < n; first += step) {
            int count = (int) Math.min(step, n - first);
            double[] va = ra.read(first, count);
            double[] vb = rb.read(first, count);
            acc.add(va, vb, count);
        }
        return new TensorDelta(ia.name(), ia.dtype(), ib.dtype(), ia.shape(), n, block, role,
                acc.sumSqDelta(), acc.sumSqA(), acc.sumSqB(), acc.dot(), acc.maxAbsDelta());
    }

    /** Raw byte equality of two tensors of the same byte size, read in 1 MiB steps. */
    static boolean bytesEqual(TensorRef a, TensorRef b) {
        long size = a.info().byteSize();
        if (size != b.info().byteSize()) {
            return false;
        }
        int step = (int) Math.min(1 << 20, Math.max(1, size));
        ByteBuffer ba = ByteBuffer.allocate(step);
        ByteBuffer bb = ByteBuffer.allocate(step);
        for (long off = 0; off < size; off += step) {
            int len = (int) Math.min(step, size - off);
            ba.clear().limit(len);
            bb.clear().limit(len);
            a.file().read(a.info(), off, ba);
            b.file().read(b.info(), off, bb);
            ba.flip();
            bb.flip();
            if (ba.mismatch(bb) >= 0) {
                return false;
            }
        }
        return true;
    }

    public List<String> onlyInA() {
        return onlyInA;
    }

    public List<String> onlyInB() {
        return onlyInB;
    }

    public List<Mismatch> mismatches() {
        return mismatches;
    }

    /** Every tensor compared by value, sorted by name. */
    public List<TensorDelta> deltas() {
        return deltas;
    }

    public List<Skipped> skipped() {
        return skipped;
    }

    /** Per-block aggregates, by ascending block index (blocks of A's layer map with a compared tensor). */
    public List<BlockDelta> blocks() {
        return blocks;
    }

    /** All compared tensors taken as one vector (index -1). */
    public BlockDelta total() {
        return total;
    }

    /** True when nothing differs: same names, same headers, every value and every opaque byte equal. */
    public boolean identical() {
        if (!onlyInA.isEmpty() || !onlyInB.isEmpty() || !mismatches.isEmpty()) {
            return false;
        }
        for (TensorDelta d : deltas) {
            if (!d.identical()) {
                return false;
            }
        }
        for (Skipped s : skipped) {
            if (!Boolean.TRUE.equals(s.identicalBytes())) {
                return false;
            }
        }
        return true;
    }
}
