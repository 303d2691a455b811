package dev.surgeon.ops.mask;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.surgeon.io.error.UsageException;

import java.util.Arrays;

/**
 * config.json head counts after heads are removed: when every output block keeps the same counts,
 * {@code num_attention_heads} and {@code num_key_value_heads} (stock loaders read that); otherwise
 * (ragged) {@code num_attention_heads_per_layer} and {@code num_key_value_heads_per_layer} lists, the
 * scalars set to the widest block, which needs {@code --allow-ragged} (a usage error without it:
 * the flag, not the file, is what is missing). {@code head_dim} is always written, since hidden /
 * heads no longer gives it.
 */
final class HeadConfig {
    static final String HEADS_PER_LAYER = "num_attention_heads_per_layer";
    static final String KV_PER_LAYER = "num_key_value_heads_per_layer";

    private HeadConfig() {
    }

    /** Updates {@code c} in place; {@code heads}, {@code kv} per output block. */
    static void apply(JsonObject c, int[] heads, int[] kv, int headDim, boolean allowRagged) {
        boolean uniform = Arrays.stream(heads).allMatch(h -> h == heads[0]) && Arrays.stream(kv).allMatch(k -> k == kv[0]);
        c.addProperty("head_dim", headDim);
        if (uniform) {
            c.addProperty("num_attention_heads", heads[0]);
            c.addProperty("num_key_value_heads", kv[0]);
            c.remove(HEADS_PER_LAYER);
            c.remove(KV_PER_LAYER);
            return;
        }
        if (!allowRagged) {
            throw new UsageException("the masks keep different head counts per block (query heads "
                    + Arrays.toString(heads) + ", KV heads " + Arrays.toString(kv) + "); stock loaders cannot read such a "
                    + "model; pass --allow-ragged to write it with num_attention_heads_per_layer and "
                    + "num_key_value_heads_per_layer, or use --mode zero");
        }
        c.addProperty("num_attention_heads", Arrays.stream(heads).max().orElseThrow());
        c.addProperty("num_key_value_heads", Arrays.stream(kv).max().orElseThrow());
        c.add(HEADS_PER_LAYER, list(heads));
        c.add(KV_PER_LAYER, list(kv));
    }

    private static JsonArray list(int[] v) {
        JsonArray a = new JsonArray();
        for (int x : v) {
            a.add(x);
        }
        return a;
    }
}
