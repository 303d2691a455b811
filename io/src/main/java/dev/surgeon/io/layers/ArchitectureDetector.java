package dev.surgeon.io.layers;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.List;

/**
 * Picks the template for a checkpoint: config.json {@code architectures}, then {@code model_type},
 * else the template whose rules explain the most names (ties go to the earlier template in the
 * index), else none (generic). A config whose template explains no block tensor, while the
 * template guessed from the names explains some, is not believed: the weights are what is edited.
 */
final class ArchitectureDetector {

    record Detection(Architecture architecture, boolean fromConfig) {
    }

    private ArchitectureDetector() {
    }

    static Detection detect(List<NameParts> names, JsonObject config, ArchitectureRegistry registry) {
        Architecture named = fromConfig(config, registry);
        if (named != null && (names.isEmpty() || score(named, names, true) > 0)) {
            return new Detection(named, true);
        }
        Architecture guessed = null;
        int best = 0;
        for (Architecture a : registry.all()) {
            int s = score(a, names, false);
            if (s > best) {
                guessed = a;
                best = s;
            }
        }
        if (named != null && (guessed == null || score(guessed, names, true) == 0)) {
            return new Detection(named, true);
        }
        return new Detection(guessed, false);
    }

    private static Architecture fromConfig(JsonObject config, ArchitectureRegistry registry) {
        if (config == null) {
            return null;
        }
        JsonElement archs = config.get("architectures");
        if (archs != null && archs.isJsonArray()) {
            for (JsonElement e : archs.getAsJsonArray()) {
                if (e instanceof JsonPrimitive p && p.isString()) {
                    Architecture a = registry.byArchitecture(p.getAsString()).orElse(null);
                    if (a != null) {
                        return a;
                    }
                }
            }
        }
        JsonElement type = config.get("model_type");
        if (type instanceof JsonPrimitive p && p.isString()) {
            return registry.byModelType(p.getAsString()).orElse(null);
        }
        return null;
    }

    /** Names for which some rule of the template gives a role (a block pattern alone is not enough). */
    private static int score(Architecture a, List<NameParts> names, boolean blocksOnly) {
        int n = 0;
        for (NameParts p : names) {
            Architecture.Match m = a.match(p.module());
            if (m != null && m.rule() != null && (!blocksOnly || m.stack() >= 0)) {
                n++;
            }
        }
        return n;
    }
}
