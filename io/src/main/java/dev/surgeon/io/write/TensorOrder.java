package dev.surgeon.io.write;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The reference writer's tensor order: dtype enum position descending (U64, I64, F64, ... BOOL),
 * then name compared as UTF-8 bytes (Rust's String order, which differs from Java's UTF-16 order).
 */
public final class TensorOrder {
    public static final Comparator<PlannedTensor> REFERENCE =
            Comparator.<PlannedTensor>comparingInt(t -> -t.dtype().writeRank())
                    .thenComparing(PlannedTensor::name, TensorOrder::compareUtf8);

    private TensorOrder() {
    }

    public static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
