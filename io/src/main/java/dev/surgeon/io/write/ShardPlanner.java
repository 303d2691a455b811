package dev.surgeon.io.write;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits tensors, in output order, into consecutive shards of at most {@code maxShardBytes} tensor
 * bytes: a tensor that would overflow the current shard starts a new one, and a tensor larger than
 * the limit sits alone in its shard. Unlike Hugging Face's splitter it never reorders tensors to
 * fill gaps, so shard order follows the plan's order.
 */
public final class ShardPlanner {
    private ShardPlanner() {
    }

    public static List<List<PlannedTensor>> split(List<PlannedTensor> tensors, long maxShardBytes) {
        List<List<PlannedTensor>> shards = new ArrayList<>();
        List<PlannedTensor> current = new ArrayList<>();
        long size = 0;
        for (PlannedTensor t : tensors) {
            long b = t.byteSize();
            if (!current.isEmpty() && size + b > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(t);
            size += b;
        }
        if (!current.isEmpty() || shards.isEmpty()) {
            shards.add(current);
        }
        return shards;
    }

    /** {@code model-0000K-of-0000N.safetensors}, K from 1. */
    public static String shardName(int k, int n) {
        return String.format("model-%05d-of-%05d.safetensors", k, n);
    }
}
