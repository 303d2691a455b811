package dev.surgeon.io.checkpoint;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonSyntaxException;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.error.IoFailureException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** A {@code *.safetensors.index.json}: tensor name → shard file name, and the declared total size. */
public record ShardIndex(Path path, Map<String, String> weightMap, Long totalSize) {

    public static ShardIndex read(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IoFailureException(path + ": cannot read index (" + e.getMessage() + ")", e);
        }
        JsonObject root;
        try {
            JsonElement el = JsonParser.parseString(text);
            if (!el.isJsonObject()) {
                throw new InvalidInputException(path + ": index is not a JSON object");
            }
            root = el.getAsJsonObject();
        } catch (JsonSyntaxException e) {
            throw new InvalidInputException(path + ": index is not valid JSON");
        }
        JsonElement wm = root.get("weight_map");
        if (wm == null || !wm.isJsonObject()) {
            throw new InvalidInputException(path + ": index has no weight_map object");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : wm.getAsJsonObject().entrySet()) {
            if (!e.getValue().isJsonPrimitive() || !e.getValue().getAsJsonPrimitive().isString()) {
                throw new InvalidInputException(path + ": weight_map entry '" + e.getKey() + "' is not a file name");
            }
            String shard = e.getValue().getAsString();
            if (shard.contains("/") || shard.contains("\\") || shard.equals("..") || shard.isEmpty()) {
                throw new InvalidInputException(path + ": weight_map entry '" + e.getKey() + "' names '" + shard
                        + "', which is not a file beside the index");
            }
            map.put(e.getKey(), shard);
        }
        Long total = null;
        JsonElement meta = root.get("metadata");
        if (meta != null && meta.isJsonObject()) {
            JsonElement ts = meta.getAsJsonObject().get("total_size");
            if (ts instanceof JsonPrimitive p && p.isNumber()) {
                total = p.getAsBigDecimal().longValue();
            }
        }
        return new ShardIndex(path, map, total);
    }

    /** The shard file names, in first-mention order. */
    public Set<String> shardNames() {
        return new LinkedHashSet<>(weightMap.values());
    }
}
