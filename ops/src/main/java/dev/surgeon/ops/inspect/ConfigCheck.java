package dev.surgeon.ops.inspect;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.surgeon.io.layers.Kind;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.io.layers.Role;
import dev.surgeon.io.layers.TensorRole;
import dev.surgeon.io.safetensors.TensorInfo;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares what config.json declares with what the weights hold: block count, hidden size
 * (embedding width), vocabulary size (embedding rows) and MLP width (per block when config.json
 * has structured pruning's {@code intermediate_sizes}). Each disagreement is one
 * warning line; a config that disagrees is reported, never refused (pruned or truncated models
 * and synthetic test checkpoints keep their original config).
 */
public final class ConfigCheck {
    private static final String SIZES = "intermediate_sizes";
    private static final List<String> HIDDEN_KEYS = List.of("hidden_size", "n_embd", "d_model");
    private static final List<String> FFN_KEYS = List.of("intermediate_size", "ffn_dim", "encoder_ffn_dim",
            "decoder_ffn_dim", "moe_intermediate_size", "shared_expert_intermediate_size");

    private ConfigCheck() {
    }

    /** The warnings; empty when there is no config or everything agrees. */
    public static List<String> warnings(JsonObject config, LayerMap map, Collection<TensorInfo> tensors) {
        List<String> out = new ArrayList<>();
        if (config == null) {
            return out;
        }
        Integer declaredBlocks = map.configBlockCount();
        if (declaredBlocks != null && declaredBlocks != map.blockCount()) {
            out.add("config.json declares " + declaredBlocks + " blocks but the weights hold " + map.blockCount());
        }
        TreeSet<Long> embedRows = new TreeSet<>();
        TreeSet<Long> embedWidths = new TreeSet<>();
        TreeSet<Long> mlpWidths = new TreeSet<>();
        Map<Integer, TreeSet<Long>> blockWidths = new TreeMap<>();
        for (TensorInfo t : tensors) {
            TensorRole r = map.roleOf(t.name());
            if (r.kind() != Kind.WEIGHT || t.rank() != 2) {
                continue;
            }
            long out0 = r.transposed() ? t.dim(1) : t.dim(0); // output features
            long in0 = r.transposed() ? t.dim(0) : t.dim(1); // input features
            Role role = r.role();
            long width = -1;
            if (role == Role.EMBED) {
                embedRows.add(t.dim(0));
                embedWidths.add(t.dim(1));
            } else if (role == Role.MLP_UP || role == Role.MLP_GATE) {
                width = out0;
            } else if (role == Role.MLP_GATE_UP) {
                width = out0 / 2;
            } else if (role == Role.MLP_DOWN) {
                width = in0;
            }
            if (width >= 0) {
                mlpWidths.add(width);
                if (r.inBlock()) {
                    blockWidths.computeIfAbsent(r.block(), k -> new TreeSet<>()).add(width);
                }
            }
        }
        Map.Entry<String, Long> hidden = firstInt(config, HIDDEN_KEYS);
        if (hidden != null && !embedWidths.isEmpty() && !embedWidths.contains(hidden.getValue())) {
            out.add("config.json " + hidden.getKey() + " is " + hidden.getValue() + " but the embedding width is "
                    + list(embedWidths));
        }
        Map.Entry<String, Long> vocab = firstInt(config, List.of("vocab_size"));
        if (vocab != null && !embedRows.isEmpty() && !embedRows.contains(vocab.getValue())) {
            out.add("config.json vocab_size is " + vocab.getValue() + " but the embedding has "
                    + list(embedRows) + " rows");
        }
        List<Long> sizes = intList(config.get(SIZES));
        if (sizes != null) {
            // structured pruning's per-block widths: each block is checked against its own entry
            checkBlockWidths(sizes, blockWidths, map.blockCount(), out);
            return out;
        }
        Map<String, Long> ffn = declaredMlpWidths(config, hidden);
        if (!ffn.isEmpty() && !mlpWidths.isEmpty() && !ffn.values().containsAll(mlpWidths)) {
            StringBuilder said = new StringBuilder();
            ffn.forEach((k, v) -> said.append(said.length() == 0 ? "" : ", ").append(k).append(" is ").append(v));
            out.add("config.json " + said + " but the MLP width in the weights is " + list(mlpWidths));
        }
        return out;
    }

    /** One warning when {@code intermediate_sizes} disagrees with the blocks' MLP widths. */
    private static void checkBlockWidths(List<Long> sizes, Map<Integer, TreeSet<Long>> widths, int blocks,
                                         List<String> out) {
        if (sizes.size() != blocks) {
            out.add("config.json " + SIZES + " lists " + sizes.size() + " widths but the weights hold " + blocks
                    + " blocks");
            return;
        }
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<Integer, TreeSet<Long>> e : widths.entrySet()) {
            long said = sizes.get(e.getKey());
            if (e.getValue().size() != 1 || e.getValue().first() != said) {
                wrong.add("block " + e.getKey() + ": " + said + " vs " + list(e.getValue()));
            }
        }
        if (!wrong.isEmpty()) {
            out.add("config.json " + SIZES + " disagrees with the MLP widths in the weights ("
                    + String.join("; ", wrong.size() > 4 ? wrong.subList(0, 4) : wrong)
                    + (wrong.size() > 4 ? "; ..." : "") + ")");
        }
    }

    /** A JSON list of non-negative integers, or null when absent or not such a list. */
    private static List<Long> intList(JsonElement e) {
        if (e == null || !e.isJsonArray()) {
            return null;
        }
        List<Long> out = new ArrayList<>();
        for (JsonElement x : e.getAsJsonArray()) {
            Long v = intValue(x);
            if (v == null) {
                return null;
            }
            out.add(v);
        }
        return out;
    }

    /**
     * GPT-2 style configs give {@code n_inner} (null meaning 4 × n_embd) and may carry an unused
     * {@code intermediate_size}; when n_inner is present it alone counts.
     */
    private static Map<String, Long> declaredMlpWidths(JsonObject config, Map.Entry<String, Long> hidden) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (config.has("n_inner")) {
            Long v = intValue(config.get("n_inner"));
            if (v != null) {
                out.put("n_inner", v);
            } else if (config.get("n_inner") instanceof JsonNull && hidden != null) {
                out.put("n_inner (null: 4 x " + hidden.getKey() + ")", 4 * hidden.getValue());
            }
            return out;
        }
        for (String k : FFN_KEYS) {
            Long v = intValue(config.get(k));
            if (v != null) {
                out.put(k, v);
            }
        }
        return out;
    }

    private static Map.Entry<String, Long> firstInt(JsonObject config, List<String> keys) {
        for (String k : keys) {
            Long v = intValue(config.get(k));
            if (v != null) {
                return Map.entry(k, v);
            }
        }
        return null;
    }

    private static Long intValue(JsonElement e) {
        if (e instanceof JsonPrimitive p && p.isNumber()) {
            double d = p.getAsDouble();
            if (d >= 0 && d == Math.rint(d) && d < 9.0e15) {
                return (long) d;
            }
        }
        return null;
    }

    private static String list(TreeSet<Long> values) {
        if (values.size() == 1) {
            return values.first().toString();
        }
        List<String> s = new ArrayList<>();
        for (Long v : values) {
            if (s.size() == 8) {
                s.add("...");
                break;
            }
            s.add(v.toString());
        }
        return "{" + String.join(", ", s) + "}";
    }
}
