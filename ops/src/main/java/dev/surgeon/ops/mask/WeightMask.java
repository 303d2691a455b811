package dev.surgeon.ops.mask;

import java.util.Arrays;

/**
 * One weight mask: the model tensor's shape and, per element in row-major order, 1 to keep and 0 to
 * mask. Held as bytes (as stored), one byte per element of the masked tensor.
 */
public record WeightMask(long[] shape, byte[] keep) {
    public WeightMask {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Elements masked (0). */
    public long masked() {
        long n = 0;
        for (byte b : keep) {
            n += b == 0 ? 1 : 0;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WeightMask m && Arrays.equals(shape, m.shape) && Arrays.equals(keep, m.keep);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(keep);
    }

    @Override
    public String toString() {
        return "WeightMask" + Arrays.toString(shape) + " masked " + masked();
    }
}
