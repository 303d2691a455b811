package dev.surgeon.ops.prune;

import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.safetensors.TensorInfo;
import dev.surgeon.io.write.TensorContent;
import dev.surgeon.io.write.TensorSink;
import dev.surgeon.ops.exec.ElementReader;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A pruned tensor of the output: the stored tensor decoded to F32, cut by its {@link TensorPruner}
 * (zeros are exact in every float dtype), and encoded once to the output dtype (round to nearest
 * even when it differs). The whole tensor is held while it is cut, since a comparison group spans
 * a row or the matrix; {@link PruneAhead} computes the next few pruned tensors on worker threads
 * while the writer streams the current one, so memory is a few tensors, whatever the model's size.
 */
public final class MaskedTensor implements TensorContent {
    /** Each thread's decode array, reused from tensor to tensor (grows to the largest tensor). */
    private static final ThreadLocal<float[]> VALUES = new ThreadLocal<>();
    private static final int READ = 1 << 20;

    private final PrunableTensor tensor;
    private final DType out;
    private final TensorPruner pruner;
    private final PruneFacts facts;
    private final PruneAhead ahead;

    MaskedTensor(PrunableTensor tensor, DType out, TensorPruner pruner, PruneFacts facts, PruneAhead ahead) {
        if (bufferBytes(tensor, out) > Integer.MAX_VALUE - 8) {
            throw new InvalidInputException("tensor '" + tensor.name() + "' has " + tensor.numel()
                    + " elements; pruning holds one tensor in memory and supports tensors of less than 2 GiB");
        }
        this.tensor = tensor;
        this.out = out;
        this.pruner = pruner;
        this.facts = facts;
        this.ahead = ahead;
    }

    PrunableTensor tensor() {
        return tensor;
    }

    /** Bytes of the output buffer: the output tensor's, or the input's when it is read into it. */
    int bufferBytes() {
        return (int) bufferBytes(tensor, out);
    }

    private static long bufferBytes(PrunableTensor tensor, DType out) {
        return tensor.numel() * Math.max(out.byteWidth(), tensor.ref().info().dtype().byteWidth());
    }

    /** Memory while it is computed and until it is written: the output buffer, and the F32 values where they are needed. */
    long workingBytes() {
        boolean bytesOnly = out == tensor.ref().info().dtype() && pruner instanceof TensorPruner.BytesCut c
                && c.cutsBytes(tensor);
        return bufferBytes() + (bytesOnly ? 0 : 4L * tensor.numel()) + pruner.scratchBytes(tensor);
    }

    /**
     * Clears the masked elements of the stored bytes and writes every ±0 as +0 (what the decoded path
     * writes), returning the zeros of the result: no F32 copy of the tensor is made.
     */
    static long clearMasked(byte[] a, int base, PruneMask m, int n, int w) {
        long[] words = m.words();
        long z = 0;
        for (int wi = 0; wi < words.length; wi++) {
            long word = words[wi];
            int first = wi << 6;
            int end = Math.min(n, first + 64);
            for (int i = first; i < end; i++) {
                int at = base + i * w;
                // cut = -1 when the mask bit is set; zero = -1 when the value is ±0
                int cut = -(int) ((word >>> (i - first)) & 1);
                if (w == 2) {
                    int bits = (short) SHORTS.get(a, at);
                    int zero = ((bits & 0x7fff) - 1) >> 31;
                    int keep = ~(cut | zero);
                    SHORTS.set(a, at, (short) (bits & keep));
                    z += -(keep >> 31) ^ 1;
                } else {
                    int bits = (int) INTS.get(a, at);
                    int zero = ((bits & 0x7fffffff) - 1) >> 31;
                    int keep = ~(cut | zero);
                    INTS.set(a, at, bits & keep);
                    z += -(keep >> 31) ^ 1;
                }
            }
        }
        return z;
    }

    @Override
    public List<TensorRef> inputs() {
        return List.of(tensor.ref());
    }

    @Override
    public void writeTo(TensorSink sink) throws IOException {
        Computed c = ahead.take(this);
        try {
            sink.write(c.bytes());
            facts.record(c.pruned(), c.zeros());
        } finally {
            ahead.written(this, c.bytes());
        }
    }

    /** The tensor's output bytes and counts. */
    record Computed(ByteBuffer bytes, long pruned, long zeros) {
    }

    /** Reads, cuts and encodes the tensor into {@code dst} (cleared, capacity ≥ its output bytes); thread-safe. */
    Computed compute(ByteBuffer dst) {
        int n = (int) tensor.numel();
        DType in = tensor.ref().info().dtype();
        if (out == in) {
            return sameDtype(dst, n);
        }
        float[] v = values(n);
        new ElementReader(tensor.ref()).readAll(v, n);
        long pruned = pruner.prune(tensor, v, n);
        dst.clear();
        dst.limit(n * out.byteWidth());
        ElementCodec.encode(out, v, 0, n, dst);
        dst.flip();
        // a cast may flush tiny weights to zero: count the zeros of what is written
        return new Computed(dst, pruned, zeros(out, dst));
    }

    /**
     * Without a cast the output is the input's bytes with the pruned elements cleared: read once
     * into the output buffer, decoded for the scores, and no encode pass (the largest cost after
     * the selection, measured). An element is cleared when the pruner zeroed it (an input ±0 is
     * written +0); the zeros counted are those of the written tensor.
     */
    private Computed sameDtype(ByteBuffer dst, int n) {
        TensorInfo info = tensor.ref().info();
        int w = info.dtype().byteWidth();
        int total = n * w;
        dst.clear();
        // copied from mappings of 1 MiB, each unmapped after its copy, so mapped pages never add up
        // to the tensor (a read into this heap buffer would be staged by the JDK through a
        // temporary direct buffer: two copies)
        for (int off = 0; off < total; off += READ) {
            int len = Math.min(READ, total - off);
            tensor.ref().file().mapped(info, off, len, dst::put);
        }
        dst.flip();
        if (pruner instanceof TensorPruner.BytesCut c && c.cutsBytes(tensor)) {
            long[] r = c.cutBytes(tensor, info.dtype(), dst.array(), dst.arrayOffset());
            return new Computed(dst, r[0], r[1]);
        }
        float[] v = values(n);
        ElementCodec.decode(info.dtype(), dst.duplicate().order(ByteOrder.LITTLE_ENDIAN), v, 0, n);
        long pruned = pruner.prune(tensor, v, n);
        return new Computed(dst, pruned, clearZeros(dst.array(), dst.arrayOffset(), v, n, w));
    }

    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * Clears the {@code w}-byte elements of {@code a} (from {@code base}) whose value in {@code v} is
     * ±0 and returns how many elements are now zero. Branch-free (half the weights may be zero, in
     * no order), with one 2- or 4-byte access per element where the width allows.
     */
    static long clearZeros(byte[] a, int base, float[] v, int n, int w) {
        long z = 0;
        for (int i = 0; i < n; i++) {
            // keep = 0 when v[i] is ±0 (key − 1 < 0), else −1
            int keep = ~(((Float.floatToRawIntBits(v[i]) & 0x7fffffff) - 1) >> 31);
            z += 1 + keep;
            int at = base + i * w;
            if (w == 2) {
                SHORTS.set(a, at, (short) ((short) SHORTS.get(a, at) & keep));
            } else if (w == 4) {
                INTS.set(a, at, (int) INTS.get(a, at) & keep);
            } else {
                for (int j = 0; j < w; j++) {
                    a[at + j] &= (byte) keep;
                }
            }
        }
        return z;
    }

    private static float[] values(int n) {
        float[] v = VALUES.get();
        if (v == null || v.length < n) {
            VALUES.remove(); // let the old one go before allocating
            v = new float[n];
            VALUES.set(v);
        }
        return v;
    }

    /**
     * Zero elements of encoded floats: every float dtype that surgeon decodes is sign-magnitude, so
     * an element is ±0 exactly when all its bits but the sign are clear.
     */
    static long zeros(DType dt, ByteBuffer bytes) {
        ByteBuffer b = bytes.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long z = 0;
        switch (dt.byteWidth()) {
            case 1 -> {
                while (b.hasRemaining()) {
                    z += (b.get() & 0x7f) == 0 ? 1 : 0;
                }
            }
            case 2 -> {
                for (int i = b.position(); i + 1 < b.limit(); i += 2) {
                    z += (b.getShort(i) & 0x7fff) == 0 ? 1 : 0;
                }
            }
            case 4 -> {
                for (int i = b.position(); i + 3 < b.limit(); i += 4) {
                    z += (b.getInt(i) & 0x7fffffff) == 0 ? 1 : 0;
                }
            }
            case 8 -> {
                for (int i = b.position(); i + 7 < b.limit(); i += 8) {
                    z += (b.getLong(i) & 0x7fffffffffffffffL) == 0 ? 1 : 0;
                }
            }
            default -> throw new IllegalArgumentException("no zero test for " + dt);
        }
        return z;
    }
}
