package dev.surgeon.ops.runner;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.layers.LayerMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Plumbing shared by the decoder runners: the F32 weight cache, the causal mask, and input checks.
 * The per-architecture math stays in the subclasses.
 */
abstract class RunnerBase implements TransformerRunner {
    private static final float MASKED = -1e30f;

    /** Cached values that hold several arrays (a block's weights) free them through this. */
    interface Freeable {
        void close();
    }

    final Weights weights;
    /** Whether every weight is kept after first use; otherwise each is freed after use. */
    final boolean cacheAll;
    private final int blocks;
    private final int vocab;
    private final int hidden;
    private final int positions;
    private final Map<String, Object> cache = new HashMap<>();
    private final Map<Integer, INDArray> masks = new HashMap<>();
    private final LayerMap layers;

    RunnerBase(Checkpoint model, long cacheBytes, int blocks, int vocab, int hidden, int positions) {
        this.weights = new Weights(model);
        this.layers = new LayerMap(model.names(), model.config());
        this.cacheAll = weights.f32Bytes(model.names()) <= cacheBytes;
        this.blocks = blocks;
        this.vocab = vocab;
        this.hidden = hidden;
        this.positions = positions;
    }

    @Override
    public int blockCount() {
        return blocks;
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public int maxPositions() {
        return positions;
    }

    @Override
    public void override(String name, float[] stored) {
        weights.override(name, stored);
        // drop what was decoded from the old values: the block's weights, or everything for a
        // tensor outside the blocks (embedding, head, final norm: rare, and cheap to reload)
        int block = layers.roleOf(name).block();
        if (block >= 0) {
            evict("block." + block);
        } else {
            for (String key : List.copyOf(cache.keySet())) {
                if (!key.startsWith("block.")) {
                    evict(key);
                }
            }
        }
    }

    private void evict(String key) {
        Object o = cache.remove(key);
        if (o instanceof Freeable w) {
            w.close();
        } else if (o instanceof INDArray a) {
            free(a);
        }
    }

    @Override
    public void close() {
        for (Object o : cache.values()) {
            if (o instanceof Freeable w) {
                w.close();
            } else if (o instanceof INDArray a) {
                free(a);
            }
        }
        cache.clear();
        masks.values().forEach(RunnerBase::free);
        masks.clear();
    }

    /** Hook between the empty-batch check and the per-token checks of {@link #flatIds}. */
    void checkLength(int t) {
    }

    /** The ids [B][T] flattened row-major, after checking the batch is non-empty, rectangular and in the vocabulary. */
    int[] flatIds(int[][] ids) {
        int b = ids.length;
        if (b == 0 || ids[0].length == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        int t = ids[0].length;
        checkLength(t);
        int[] flat = new int[b * t];
        for (int i = 0; i < b; i++) {
            if (ids[i].length != t) {
                throw new IllegalArgumentException("sequences of one batch must have the same length");
            }
            for (int j = 0; j < t; j++) {
                int id = ids[i][j];
                if (id < 0 || id >= vocab) {
                    throw new InvalidInputException("token id " + id + " is outside the vocabulary (0.."
                            + (vocab - 1) + ")");
                }
                flat[i * t + j] = id;
            }
        }
        return flat;
    }

    void checkBlock(int i) {
        if (i < 0 || i >= blocks) {
            throw new IndexOutOfBoundsException("block " + i + " of " + blocks);
        }
    }

    long[] checkHidden(INDArray hidden) {
        if (hidden.rank() != 3 || hidden.size(2) != this.hidden) {
            throw new IllegalArgumentException("hidden states must be [B, T, " + this.hidden + "], not "
                    + Arrays.toString(hidden.shape()));
        }
        if (hidden.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("hidden states must be F32, not " + hidden.dataType());
        }
        return hidden.shape();
    }

    /** Query rows per key row in the attention scores (1 unless heads share key/value heads). */
    int maskGroup() {
        return 1;
    }

    /** Additive causal mask [group·T, T]: row r is query position r mod T. */
    INDArray mask(int t) {
        return masks.computeIfAbsent(t, n -> {
            int rows = maskGroup() * n;
            float[] m = new float[rows * n];
            for (int r = 0; r < rows; r++) {
                int pos = r % n;
                for (int c = pos + 1; c < n; c++) {
                    m[r * n + c] = MASKED;
                }
            }
            return Nd4j.create(m, new long[] {rows, n}, 'c');
        });
    }

    /** The value under {@code key}, loaded (and kept when {@link #cacheAll}) on first use. */
    @SuppressWarnings("unchecked")
    <T> T cached(String key, Supplier<T> load) {
        Object o = cache.get(key);
        if (o != null) {
            return (T) o;
        }
        T a = load.get();
        if (cacheAll) {
            cache.put(key, a);
        }
        return a;
    }

    /** Frees a weight after use unless it is kept. */
    void release(String key, INDArray a) {
        if (!cacheAll && cache.get(key) != a) {
            free(a);
        }
    }

    /** Frees an array's memory now where ND4J allows it (views are left to the garbage collector). */
    static void free(INDArray a) {
        if (a != null && a.closeable()) {
            a.close();
        }
    }
}
