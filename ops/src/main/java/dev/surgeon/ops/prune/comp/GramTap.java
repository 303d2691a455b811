package dev.surgeon.ops.prune.comp;

import dev.surgeon.ops.runner.BlockTap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A runner tap that sums HᵀH (in double) of one Linear's input over every token it sees. */
final class GramTap implements BlockTap {
    private final String linear;
    private INDArray sum;
    private long tokens;

    GramTap(String linear) {
        this.linear = linear;
    }

    @Override
    public void input(String name, INDArray x) {
        if (!name.equals(linear)) {
            return;
        }
        INDArray d = x.castTo(DataType.DOUBLE);
        if (sum == null) {
            sum = Nd4j.zeros(DataType.DOUBLE, x.size(1), x.size(1));
        }
        Nd4j.gemm(d, d, sum, true, false, 1.0, 1.0);
        if (d.closeable()) {
            d.close();
        }
        tokens += x.size(0);
    }

    long tokens() {
        return tokens;
    }

    /** The sum, row-major; the tap is empty afterwards. */
    double[] take() {
        if (sum == null) {
            throw new IllegalStateException("the runner reported no input of " + linear);
        }
        double[] out = sum.data().asDouble(); // zeros() made it contiguous and row-major
        sum.close();
        sum = null;
        return out;
    }
}
