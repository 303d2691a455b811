package dev.surgeon.ops.prune;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.error.IoFailureException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * ECoFLaP's {@code --sparsity-file}, which replaces stage 1: one flat map, JSON ({@code .json}) or
 * YAML (anything else), from a block index (an integer, or a string of digits such as "3") or a
 * prunable tensor's name (with or without {@code .weight}) to a sparsity in [0, 1). A tensor entry
 * wins over its block's entry; blocks not listed get the command's {@code --ratio}. A key that is
 * neither a block of the model nor one of the tensors being pruned, or a value outside [0, 1), is
 * an invalid-input error naming the key.
 *
 * @param blocks  sparsity by block index, sorted
 * @param tensors sparsity by tensor name (the {@code .weight} name), in file order
 */
public record SparsityFile(Map<Integer, Double> blocks, Map<String, Double> tensors) {
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");

    public SparsityFile {
        blocks = Collections.unmodifiableMap(new TreeMap<>(blocks));
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /** Reads {@code file} and resolves its keys against the targets of a model with {@code blockCount} blocks. */
    public static SparsityFile read(Path file, List<PrunableTensor> targets, int blockCount) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IoFailureException(file + ": sparsity file not found", e);
        } catch (IOException e) {
            throw new IoFailureException(file + ": cannot read the sparsity file (" + e.getMessage() + ")", e);
        }
        boolean json = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
        return resolve(parse(text, json, file.toString()), targets, blockCount, file.toString());
    }

    /** The file's entries in order, keys as written (integer keys as their decimal string). */
    static Map<String, Double> parse(String text, boolean json, String where) {
        Object root;
        if (json) {
            try {
                JsonElement e = new GsonBuilder().setStrictness(Strictness.STRICT).create().fromJson(text, JsonElement.class);
                root = e == null ? null : e.isJsonObject() ? e.getAsJsonObject().asMap() : e;
            } catch (JsonParseException e) {
                throw bad(where, "is not valid JSON (" + e.getMessage() + ")");
            }
        } else {
            try {
                root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
            } catch (YAMLException e) {
                throw bad(where, "is not valid YAML (" + e.getMessage().replace('\n', ' ') + ")");
            }
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw bad(where, "must be a map from block index or tensor name to sparsity");
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            Object k = e.getKey();
            if (!(k instanceof String || k instanceof Integer || k instanceof Long)) {
                throw bad(where, "key " + k + " is neither a block index nor a tensor name");
            }
            String key = k.toString();
            double v = number(e.getValue(), where, key);
            if (!(v >= 0 && v < 1)) {
                throw bad(where, "sparsity " + e.getValue() + " of '" + key + "' is outside [0, 1)");
            }
            if (out.put(key, v) != null) {
                throw bad(where, "key '" + key + "' is given twice");
            }
        }
        return out;
    }

    /** Sorts the entries into blocks and tensors; unknown keys are errors. */
    static SparsityFile resolve(Map<String, Double> entries, List<PrunableTensor> targets, int blockCount,
                                String where) {
        Map<String, String> byName = new LinkedHashMap<>();
        Set<Integer> targetBlocks = new HashSet<>();
        for (PrunableTensor t : targets) {
            byName.put(t.name(), t.name());
            byName.putIfAbsent(t.linear(), t.name());
            targetBlocks.add(t.block());
        }
        Map<Integer, Double> blocks = new TreeMap<>();
        Map<String, Double> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : entries.entrySet()) {
            String key = e.getKey();
            if (DIGITS.matcher(key).matches()) {
                int b;
                try {
                    b = Integer.parseInt(key);
                } catch (NumberFormatException x) {
                    b = Integer.MAX_VALUE;
                }
                if (b >= blockCount) {
                    throw bad(where, "block " + key + " is out of range (the model has blocks 0.." + (blockCount - 1) + ")");
                }
                if (blocks.put(b, e.getValue()) != null) {
                    throw bad(where, "block " + b + " is given twice");
                }
                continue;
            }
            String name = byName.get(key);
            if (name == null) {
                throw bad(where, "'" + key + "' is neither a block index nor a tensor being pruned");
            }
            if (tensors.put(name, e.getValue()) != null) {
                throw bad(where, "tensor '" + name + "' is given twice");
            }
        }
        return new SparsityFile(blocks, tensors);
    }

    private static double number(Object v, String where, String key) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof JsonElement j && j.isJsonPrimitive() && j.getAsJsonPrimitive().isNumber()) {
            return j.getAsDouble();
        }
        throw bad(where, "value of '" + key + "' is " + v + ", not a number");
    }

    private static InvalidInputException bad(String where, String what) {
        return new InvalidInputException(where + ": sparsity file " + what);
    }
}
