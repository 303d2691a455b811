package dev.surgeon.ops.exec;

import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.safetensors.SafetensorsFile;
import dev.surgeon.io.safetensors.TensorInfo;
import dev.surgeon.ops.align.TensorGroup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Decodes one chunk of every input of a {@link TensorGroup} to F32, straight from a mapping of the
 * input's bytes: {@code in[k][i]} is element {@code first + i} of input k. One decoder per thread
 * ({@link #local}), reused from tensor to tensor, so a pass over a model makes no garbage per tensor
 * and memory is one chunk per input per thread, plus the pages touched in one mapping window per
 * input. Used by the write pass ({@code Elementwise}) and statistics passes ({@link ChunkPass}).
 */
public final class ChunkDecoder {
    /** Elements per chunk: 256 Ki (1 MiB of floats per input), small enough that a 1024 x 1024 matrix splits in four. */
    public static final int CHUNK = 1 << 18;

    /**
     * Bytes of an input mapped at once: a tensor's chunks come from one mapping until one leaves it,
     * so a BF16 input is mapped and unmapped every 8 chunks rather than every chunk (unmapping
     * interrupts the other cores to flush their address caches: 5-6 % of a TIES merge's CPU with a
     * mapping per chunk, profiled).
     */
    static final long WINDOW = 4L << 20;

    private static final ThreadLocal<ChunkDecoder> LOCAL = new ThreadLocal<>();

    private final float[][] in;
    private final Window[] windows;

    private ChunkDecoder(int inputs) {
        this.in = new float[inputs][CHUNK];
        this.windows = new Window[inputs];
    }

    /** Bytes {@code [from, to)} of a tensor, mapped. */
    private record Window(SafetensorsFile file, TensorInfo info, long from, long to, ByteBuffer bytes) {
        boolean holds(TensorRef ref, long start, long end) {
            return file == ref.file() && info == ref.info() && start >= from && end <= to;
        }
    }

    /** This thread's decoder for groups of {@code inputs} tensors. */
    public static ChunkDecoder local(int inputs) {
        ChunkDecoder d = LOCAL.get();
        if (d == null || d.in.length != inputs) {
            if (d != null) {
                d.release();
            }
            d = new ChunkDecoder(inputs);
            LOCAL.set(d);
        }
        return d;
    }

    /** Decodes elements {@code [first, first + n)} of every input; n ≤ {@link #CHUNK}. The arrays are reused by the next call. */
    public float[][] read(TensorGroup group, long first, int n) {
        List<TensorRef> refs = group.inputs();
        for (int k = 0; k < refs.size(); k++) {
            decode(k, refs.get(k), first, n);
        }
        return in;
    }

    private void decode(int k, TensorRef ref, long first, int n) {
        DType dt = ref.info().dtype();
        int w = dt.byteWidth();
        long from = first * w;
        long to = from + (long) n * w;
        Window win = windows[k];
        if (win == null || !win.holds(ref, from, to)) {
            drop(k, true);
            long end = Math.min(ref.info().byteSize(), Math.max(to, from + WINDOW));
            win = new Window(ref.file(), ref.info(), from, end, ref.file().map(ref.info(), from, end - from));
            windows[k] = win;
        }
        ByteBuffer at = win.bytes().duplicate().order(ByteOrder.LITTLE_ENDIAN).position((int) (from - win.from()));
        float[] dst = in[k];
        try {
            ref.file().useMapped(ref.info(), at, b -> ElementCodec.decode(dt, b, dst, 0, n));
        } catch (RuntimeException e) {
            drop(k, false); // a fault may be pending on it: left to the garbage collector (SafetensorsFile#mapped)
            throw e;
        }
    }

    private void drop(int k, boolean unmap) {
        Window win = windows[k];
        windows[k] = null;
        if (win != null && unmap) {
            SafetensorsFile.release(win.bytes());
        }
    }

    /** Unmaps this thread's windows; the next read maps again. */
    private void release() {
        for (int k = 0; k < windows.length; k++) {
            drop(k, true);
        }
    }
}
