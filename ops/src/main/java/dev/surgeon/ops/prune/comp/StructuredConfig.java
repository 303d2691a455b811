package dev.surgeon.ops.prune.comp;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.ops.structure.BlockConfig;

import java.util.Arrays;

/**
 * config.json after a structural edit: {@code num_hidden_layers} is the kept block count,
 * {@code intermediate_size} the widest kept MLP, and {@code intermediate_sizes} (one width per
 * output block) is written only when widths differ, so a uniform result loads in stock
 * transformers. Per-block lists ({@code layer_types}) lose the removed blocks' entries and Qwen2's
 * {@code max_window_layers} (a block-index threshold) is moved to the new numbering. Everything
 * else is kept as it was.
 */
final class StructuredConfig {
    static final String SIZES = "intermediate_sizes";

    private StructuredConfig() {
    }

    /**
     * The input's {@code intermediate_sizes} (a model pruned before), or null when it has none.
     * They must match the weights' widths: the runner and this plan both trust them.
     */
    static int[] declaredSizes(JsonObject config) {
        JsonElement list = config == null ? null : config.get(SIZES);
        if (list == null || list.isJsonNull()) {
            return null;
        }
        try {
            JsonArray a = list.getAsJsonArray();
            int[] w = new int[a.size()];
            for (int i = 0; i < w.length; i++) {
                w[i] = a.get(i).getAsInt();
            }
            return w;
        } catch (RuntimeException e) {
            throw new InvalidInputException("config.json: " + SIZES + " must be a list of integers, not " + list);
        }
    }

    /**
     * The output config; null when the input has none.
     *
     * @param widths MLP width of each output block
     */
    static JsonObject of(JsonObject config, StructuredEdit edit, int[] widths) {
        if (config == null) {
            return null;
        }
        JsonObject c = config.deepCopy();
        int[] kept = edit.keptBlocks();
        int max = Arrays.stream(widths).max().orElseThrow();
        c.addProperty("intermediate_size", max);
        if (Arrays.stream(widths).allMatch(w -> w == max)) {
            c.remove(SIZES);
        } else {
            JsonArray a = new JsonArray();
            for (int w : widths) {
                a.add(w);
            }
            c.add(SIZES, a);
        }
        BlockConfig.removeBlocks(c, edit.blockCount(), kept);
        return c;
    }
}
