package dev.surgeon.ops.prune;

import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.ops.exec.ElementReader;

/** A whole tensor decoded to F32 in its stored row-major order (what the runner's overrides take). */
final class TensorValues {
    private TensorValues() {
    }

    static float[] read(TensorRef ref) {
        long n = ref.info().numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor '" + ref.name() + "' has more than 2^31 elements");
        }
        float[] out = new float[(int) n];
        ElementReader r = new ElementReader(ref);
        for (long first = 0; first < n; first += r.blockSize()) {
            int count = (int) Math.min(r.blockSize(), n - first);
            r.readFloats(first, count, out, (int) first);
        }
        return out;
    }
}
