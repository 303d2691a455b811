package dev.surgeon.ops.runner;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What the runner's Java kernels take: F32 arrays laid out row-major from the start of their buffer, int-indexable. */
final class Flat {
    private Flat() {
    }

    /** Whether element i of {@code a} (row-major) is element i of {@code a.data()}. */
    static boolean fits(INDArray a) {
        return a.dataType() == DataType.FLOAT && a.ordering() == 'c' && a.offset() == 0
                && (a.length() == 1 || a.elementWiseStride() == 1) && a.length() <= Integer.MAX_VALUE;
    }
}
