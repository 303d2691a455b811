package dev.surgeon.io.layers;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * All architecture templates, read once from the JSON resources listed in {@code index.json}.
 * The index order is also the tie-break order when an architecture is guessed from names.
 */
public final class ArchitectureRegistry {

    private static final String DIR = "/dev/surgeon/io/layers/";

    /** Lazy holder: resources are parsed on first use only, and only once per JVM. */
    private static final class Holder {
        static final ArchitectureRegistry INSTANCE = load();
    }

    private final List<Architecture> all;
    private final Fallback fallback;
    private final Map<String, Architecture> byName = new HashMap<>();
    private final Map<String, Architecture> byModelType = new HashMap<>();
    private final Map<String, Architecture> byArchitecture = new HashMap<>();

    private ArchitectureRegistry(List<Architecture> all, Fallback fallback) {
        this.all = List.copyOf(all);
        this.fallback = fallback;
        for (Architecture a : all) {
            claim(byName, a.name(), a);
            a.modelTypes().forEach(t -> claim(byModelType, t, a));
            a.architectures().forEach(t -> claim(byArchitecture, t, a));
        }
    }

    public static ArchitectureRegistry get() {
        return Holder.INSTANCE;
    }

    /** Every template, in index order. */
    public List<Architecture> all() {
        return all;
    }

    public Optional<Architecture> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** By config.json {@code model_type}, e.g. "qwen2". */
    public Optional<Architecture> byModelType(String modelType) {
        return Optional.ofNullable(byModelType.get(modelType));
    }

    /** By a config.json {@code architectures} entry, e.g. "GPT2LMHeadModel". */
    public Optional<Architecture> byArchitecture(String architecture) {
        return Optional.ofNullable(byArchitecture.get(architecture));
    }

    /** Name given to tensors and maps that no template explains. */
    public String fallbackName() {
        return fallback.name();
    }

    Fallback fallback() {
        return fallback;
    }

    /** Two templates claiming one key would make lookups depend on load order, so it is refused. */
    private static void claim(Map<String, Architecture> map, String key, Architecture a) {
        Architecture old = map.putIfAbsent(key, a);
        if (old != null) {
            throw new IllegalStateException("layer templates " + old.name() + " and " + a.name() + " both claim " + key);
        }
    }

    private static ArchitectureRegistry load() {
        JsonObject index = readJson("index.json");
        List<Architecture> all = new ArrayList<>();
        for (JsonElement file : index.getAsJsonArray("templates")) {
            all.add(TemplateReader.read(readJson(file.getAsString()), file.getAsString()));
        }
        return new ArchitectureRegistry(all, TemplateReader.fallback(index.getAsJsonObject("fallback")));
    }

    private static JsonObject readJson(String file) {
        try (InputStream in = ArchitectureRegistry.class.getResourceAsStream(DIR + file)) {
            if (in == null) {
                throw new IllegalStateException("missing layer template resource " + DIR + file);
            }
            try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                return JsonParser.parseReader(r).getAsJsonObject();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read layer template " + file, e);
        }
    }
}
