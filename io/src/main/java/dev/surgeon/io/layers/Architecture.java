package dev.surgeon.io.layers;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One loaded architecture template (a JSON resource): which configs it claims, where its blocks
 * are, and the rules that give each module its role. Immutable; shared by all layer maps.
 */
public final class Architecture {

    /**
     * Block indices above this are not believed: consumers size arrays by the block count, and no
     * real model has this many blocks, so a name like {@code layers.99999999.x} is not a block.
     */
    static final int MAX_BLOCK_INDEX = 1_000_000;

    /** Where a module path landed: stack and local index (stack -1 outside blocks); rule null if none. */
    record Match(int stack, int localBlock, Rule rule) {
    }

    private final String name;
    private final Set<String> modelTypes;
    private final Set<String> architectures;
    private final List<BlockStack> stacks;
    private final List<Rule> rules;
    private final Pattern outsidePrefix;
    private final List<Rule> outsideRules;

    Architecture(String name, Set<String> modelTypes, Set<String> architectures, List<BlockStack> stacks,
                 List<Rule> rules, Pattern outsidePrefix, List<Rule> outsideRules) {
        this.name = name;
        this.modelTypes = Set.copyOf(modelTypes);
        this.architectures = Set.copyOf(architectures);
        this.stacks = List.copyOf(stacks);
        this.rules = List.copyOf(rules);
        this.outsidePrefix = outsidePrefix;
        this.outsideRules = List.copyOf(outsideRules);
    }

    public String name() {
        return name;
    }

    /** config.json {@code model_type} values this template claims. */
    public Set<String> modelTypes() {
        return modelTypes;
    }

    /** config.json {@code architectures} values this template claims. */
    public Set<String> architectures() {
        return architectures;
    }

    List<BlockStack> stacks() {
        return stacks;
    }

    /** Places a module path (a name without its weight/bias/LoRA leaf); null when nothing matches. */
    Match match(String module) {
        for (int s = 0; s < stacks.size(); s++) {
            Matcher m = stacks.get(s).blockPattern().matcher(module);
            if (m.lookingAt()) {
                int index = parseIndex(m.group(1));
                return index < 0 ? null : new Match(s, index, first(rules, module.substring(m.end())));
            }
        }
        Matcher p = outsidePrefix.matcher(module);
        String rest = p.lookingAt() ? module.substring(p.end()) : module;
        Rule rule = first(outsideRules, rest);
        return rule == null ? null : new Match(-1, TensorRole.NO_BLOCK, rule);
    }

    /**
     * Where the block index of a module path is: {stack, start, end} of its digits in the path (a
     * prefix of the tensor name), or null outside blocks.
     */
    int[] blockDigits(String module) {
        for (int s = 0; s < stacks.size(); s++) {
            Matcher m = stacks.get(s).blockPattern().matcher(module);
            if (m.lookingAt()) {
                return new int[] {s, m.start(1), m.end(1)};
            }
        }
        return null;
    }

    /** Block count config.json declares: the sum over stacks that exist; null when it says nothing. */
    Integer configBlockCount(JsonObject config) {
        Integer total = null;
        for (BlockStack stack : stacks) {
            if (stack.skipIfFalse() != null && isFalse(config, stack.skipIfFalse())) {
                continue;
            }
            Integer n = firstInt(config, stack.countKeys());
            if (n != null) {
                total = (total == null ? 0 : total) + n;
            }
        }
        return total;
    }

    private static Rule first(List<Rule> rules, String path) {
        for (Rule r : rules) {
            if (r.matches(path)) {
                return r;
            }
        }
        return null;
    }

    /** Decimal block index, or -1 when it is too large to be one. */
    static int parseIndex(String digits) {
        int zeros = 0; // leading zeros, keeping the last digit (a regex here was compiled per tensor)
        while (zeros < digits.length() - 1 && digits.charAt(zeros) == '0') {
            zeros++;
        }
        String d = digits.substring(zeros);
        if (d.length() > 7) {
            return TensorRole.NO_BLOCK;
        }
        int v = Integer.parseInt(d);
        return v > MAX_BLOCK_INDEX ? TensorRole.NO_BLOCK : v;
    }

    /** First of {@code keys} present in config as an integer; null when none (or config is null). */
    static Integer firstInt(JsonObject config, List<String> keys) {
        if (config == null) {
            return null;
        }
        for (String key : keys) {
            JsonElement e = config.get(key);
            if (e instanceof JsonPrimitive p && p.isNumber()) {
                double v = p.getAsDouble();
                if (v >= 0 && v <= Integer.MAX_VALUE && v == Math.rint(v)) {
                    return (int) v;
                }
            }
        }
        return null;
    }

    private static boolean isFalse(JsonObject config, String key) {
        if (config == null) {
            return false;
        }
        JsonElement e = config.get(key);
        return e instanceof JsonPrimitive p && p.isBoolean() && !p.getAsBoolean();
    }

    @Override
    public String toString() {
        return "Architecture[" + name + "]";
    }
}
