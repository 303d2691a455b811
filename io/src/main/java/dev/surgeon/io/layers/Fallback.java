package dev.surgeon.io.layers;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What names no template explains get: a block index from the generic block regex (role other),
 * and a block count from common config keys. Loaded from {@code index.json}.
 */
record Fallback(String name, Pattern blockRegex, int blockGroup, List<String> countKeys) {

    int blockOf(String fullName) {
        Matcher m = blockRegex.matcher(fullName);
        return m.find() ? Architecture.parseIndex(m.group(blockGroup)) : TensorRole.NO_BLOCK;
    }

    /** {start, end} of the block index digits in {@code fullName}, or null when it has none. */
    int[] blockDigits(String fullName) {
        Matcher m = blockRegex.matcher(fullName);
        return m.find() ? new int[] {m.start(blockGroup), m.end(blockGroup)} : null;
    }

    Integer configBlockCount(JsonObject config) {
        return Architecture.firstInt(config, countKeys);
    }
}
