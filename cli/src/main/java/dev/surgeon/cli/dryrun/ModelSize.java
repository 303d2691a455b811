package dev.surgeon.cli.dryrun;

import com.google.gson.JsonObject;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.io.safetensors.TensorInfo;

/**
 * The sizes the estimates need, from headers and config.json only: parameters, the largest
 * tensor, stored bytes, hidden and MLP widths, and the block count.
 */
public record ModelSize(long params, long largestNumel, long bytes, long hidden, long intermediate, int blocks) {

    public static ModelSize of(Checkpoint in) {
        long params = 0;
        long largest = 0;
        long bytes = 0;
        for (TensorRef r : in.tensors().values()) {
            TensorInfo t = r.info();
            long n = t.numel();
            params += n;
            largest = Math.max(largest, n);
            bytes += t.byteSize();
        }
        JsonObject c = in.config();
        long hidden = intOf(c, "hidden_size", intOf(c, "n_embd", 0));
        long inter = intOf(c, "intermediate_size", intOf(c, "n_inner", 4 * hidden));
        int blocks = new LayerMap(in.names(), c).blockCount();
        return new ModelSize(params, largest, bytes, hidden, inter, blocks);
    }

    /** Sizes of a planned model that has no input (synth): no widths or blocks. */
    public static ModelSize of(java.util.List<dev.surgeon.io.write.PlannedTensor> plan) {
        long params = 0;
        long largest = 0;
        long bytes = 0;
        for (dev.surgeon.io.write.PlannedTensor t : plan) {
            params += t.numel();
            largest = Math.max(largest, t.numel());
            bytes += t.byteSize();
        }
        return new ModelSize(params, largest, bytes, 0, 0, 0);
    }

    private static long intOf(JsonObject c, String key, long fallback) {
        if (c == null || !c.has(key) || !c.get(key).isJsonPrimitive() || !c.get(key).getAsJsonPrimitive().isNumber()) {
            return fallback;
        }
        return c.get(key).getAsLong();
    }

    /** Bytes of the largest tensor once decoded to F32, as the element-wise kernels and pruners hold it. */
    public long largestF32() {
        return largestNumel * 4;
    }
}
