package dev.surgeon.ops.structure;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.surgeon.io.error.InvalidInputException;

import java.util.Arrays;

/**
 * The block-count part of config.json after whole blocks are removed, shared by COMP and
 * {@code mask apply}: {@code num_hidden_layers} (and GPT-2's {@code n_layer} where present) is the
 * kept count; per-block lists ({@code layer_types}) lose the removed blocks' entries; Qwen2's
 * {@code max_window_layers} (a block-index threshold) moves to the new numbering.
 */
public final class BlockConfig {
    private BlockConfig() {
    }

    /**
     * Updates {@code c} in place.
     *
     * @param blockCount the input's blocks
     * @param kept       original indices of the kept blocks, ascending
     */
    public static void removeBlocks(JsonObject c, int blockCount, int[] kept) {
        if (c.has("n_layer") && !c.has("num_hidden_layers")) {
            c.addProperty("n_layer", kept.length);
        } else {
            c.addProperty("num_hidden_layers", kept.length);
        }
        if (c.get("layer_types") instanceof JsonArray types) {
            if (types.size() != blockCount) {
                throw new InvalidInputException("config.json: layer_types lists " + types.size() + " blocks, the model has "
                        + blockCount);
            }
            JsonArray t = new JsonArray();
            for (int b : kept) {
                t.add(types.get(b));
            }
            c.add("layer_types", t);
        }
        if (c.get("max_window_layers") instanceof JsonPrimitive p && p.isNumber()) {
            // blocks below the threshold keep full attention: count the kept ones below it
            int old = p.getAsInt();
            c.addProperty("max_window_layers", (int) Arrays.stream(kept).filter(b -> b < old).count());
        }
    }
}
