package dev.surgeon.io.layers;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns one template JSON object into an {@link Architecture}. A template either has a single
 * {@code block_pattern} + {@code block_count_keys}, or a {@code stacks} list (encoder, decoder).
 * A malformed template is a packaging bug, so it fails loudly with the file name.
 */
final class TemplateReader {

    private TemplateReader() {
    }

    static Architecture read(JsonObject o, String file) {
        try {
            List<BlockStack> stacks = new ArrayList<>();
            if (o.has("stacks")) {
                for (JsonElement e : o.getAsJsonArray("stacks")) {
                    stacks.add(stack(e.getAsJsonObject(), str(e.getAsJsonObject(), "name")));
                }
            } else {
                stacks.add(stack(o, "blocks"));
            }
            return new Architecture(str(o, "name"), strings(o, "model_types"), strings(o, "architectures"), stacks,
                    rules(o.getAsJsonArray("rules")), Pattern.compile(str(o, "outside_prefix")),
                    rules(o.getAsJsonArray("outside_rules")));
        } catch (RuntimeException e) {
            throw new IllegalStateException("bad layer template " + file + ": " + e.getMessage(), e);
        }
    }

    static Fallback fallback(JsonObject o) {
        return new Fallback(str(o, "name"), Pattern.compile(str(o, "block_regex")), o.get("block_group").getAsInt(),
                List.copyOf(strings(o, "block_count_keys")));
    }

    private static BlockStack stack(JsonObject o, String name) {
        Pattern p = Pattern.compile(str(o, "block_pattern"));
        if (!p.pattern().startsWith("^") || p.matcher("").groupCount() < 1) {
            throw new IllegalArgumentException("block_pattern must be anchored with group 1 = index: " + p);
        }
        String skip = o.has("skip_if_false") ? str(o, "skip_if_false") : null;
        return new BlockStack(name, p, List.copyOf(strings(o, "block_count_keys")), skip);
    }

    private static List<Rule> rules(JsonArray array) {
        List<Rule> out = new ArrayList<>();
        for (JsonElement e : array) {
            JsonObject r = e.getAsJsonObject();
            boolean transposed = r.has("transposed") && r.get("transposed").getAsBoolean();
            String part = r.has("part") ? str(r, "part") : "";
            out.add(new Rule(Pattern.compile(str(r, "regex")), Role.fromJson(str(r, "role")), transposed, part));
        }
        return out;
    }

    private static Set<String> strings(JsonObject o, String key) {
        Set<String> out = new LinkedHashSet<>();
        if (o.has(key)) {
            for (JsonElement e : o.getAsJsonArray(key)) {
                out.add(e.getAsString());
            }
        }
        return out;
    }

    private static String str(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonPrimitive()) {
            throw new IllegalArgumentException("missing string '" + key + "'");
        }
        return e.getAsString();
    }
}
