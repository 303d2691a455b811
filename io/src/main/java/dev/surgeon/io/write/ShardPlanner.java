package dev.surgeon.io.write;

import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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

    /** One output safetensors file: its name in the folder and its tensors. */
    public record Shard(String name, List<PlannedTensor> tensors) {
    }

    /** The files of a folder output: shards (one {@code singleName} file when there is one) and the index, or null. */
    public record Layout(List<Shard> shards, JsonObject index) {
    }

    /** Shards named as Hugging Face names them, and {@code model.safetensors.index.json}'s content when there are several. */
    public static Layout layout(List<PlannedTensor> tensors, long maxShardBytes, String singleName) {
        List<List<PlannedTensor>> split = maxShardBytes > 0 ? split(tensors, maxShardBytes) : List.of(tensors);
        if (split.size() == 1) {
            return new Layout(List.of(new Shard(singleName, tensors)), null);
        }
        List<Shard> shards = new ArrayList<>();
        Map<String, String> weightMap = new TreeMap<>(TensorOrder::compareUtf8);
        long total = 0;
        for (int k = 0; k < split.size(); k++) {
            String name = shardName(k + 1, split.size());
            for (PlannedTensor t : split.get(k)) {
                weightMap.put(t.name(), name);
                total += t.byteSize();
            }
            shards.add(new Shard(name, split.get(k)));
        }
        JsonObject root = new JsonObject();
        JsonObject meta = new JsonObject();
        meta.addProperty("total_size", total);
        root.add("metadata", meta);
        JsonObject wm = new JsonObject();
        weightMap.forEach(wm::addProperty);
        root.add("weight_map", wm);
        return new Layout(shards, root);
    }

    /** {@code model-0000K-of-0000N.safetensors}, K from 1. */
    public static String shardName(int k, int n) {
        return String.format("model-%05d-of-%05d.safetensors", k, n);
    }
}
