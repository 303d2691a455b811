package dev.surgeon.cli.config;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.surgeon.io.error.IoFailureException;
import dev.surgeon.io.error.UsageException;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A --config file read into option text: a map from key to a scalar (its text, exactly as written),
 * a list of scalars, or whatever else was there (a nested map or list, kept so the caller can name
 * the wrong type). JSON by .json, YAML by .yaml / .yml.
 *
 * <p>Exit codes: a file that does not exist, is a folder, has another extension or does not parse
 * is a usage error (2) — it is part of the command line, like a mistyped flag; a file that exists
 * but cannot be read (permissions, I/O error) is an I/O failure (4), like any unreadable input.
 */
public final class ConfigFile {
    private final Path path;
    private final Map<String, Object> values;

    private ConfigFile(Path path, Map<String, Object> values) {
        this.path = path;
        this.values = values;
    }

    public Path path() {
        return path;
    }

    /** Keys in file order; values: String, List (of anything) or Map. A key with no value maps to null. */
    public Map<String, Object> values() {
        return values;
    }

    public static ConfigFile read(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean json = name.endsWith(".json");
        if (!json && !name.endsWith(".yaml") && !name.endsWith(".yml")) {
            throw new UsageException("--config " + path + ": the file must end in .json, .yaml or .yml");
        }
        if (Files.isDirectory(path)) {
            throw new UsageException("--config " + path + ": is a folder, not a file");
        }
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UsageException("--config " + path + ": no such file");
        } catch (IOException e) {
            throw new IoFailureException("--config " + path + ": cannot read: " + e.getMessage(), e);
        }
        Object root = json ? parseJson(path, text) : parseYaml(path, text);
        if (root == null) {
            return new ConfigFile(path, new LinkedHashMap<>());
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new UsageException("--config " + path + ": the file must hold a map of option names to values");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            values.put(String.valueOf(e.getKey()), e.getValue());
        }
        return new ConfigFile(path, values);
    }

    private static Object parseJson(Path path, String text) {
        try {
            JsonElement e = JsonParser.parseString(text);
            return e.isJsonNull() ? null : fromJson(e);
        } catch (JsonParseException | IllegalStateException e) {
            throw new UsageException("--config " + path + ": not valid JSON: " + firstLine(e.getMessage()));
        }
    }

    private static Object fromJson(JsonElement e) {
        if (e.isJsonNull()) {
            return null;
        }
        if (e.isJsonPrimitive()) {
            return e.getAsString(); // numbers keep their text: 0.20 stays "0.20"
        }
        if (e.isJsonArray()) {
            List<Object> list = new ArrayList<>();
            e.getAsJsonArray().forEach(x -> list.add(fromJson(x)));
            return list;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        e.getAsJsonObject().entrySet().forEach(x -> map.put(x.getKey(), fromJson(x.getValue())));
        return map;
    }

    private static Object parseYaml(Path path, String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Yaml yaml = new Yaml(new SafeConstructor(options), new Representer(new DumperOptions()), new DumperOptions(),
                options, new TextResolver());
        try {
            return stringify(yaml.load(text));
        } catch (YAMLException e) {
            throw new UsageException("--config " + path + ": not valid YAML: " + firstLine(e.getMessage()));
        }
    }

    /** Booleans to "true"/"false"; everything else is already text (see {@link TextResolver}). */
    private static Object stringify(Object o) {
        if (o instanceof Boolean b) {
            return b.toString();
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(stringify(x)));
            return out;
        }
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), stringify(v)));
            return out;
        }
        return o;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }

    /**
     * Resolves only true/false and null; every other plain scalar stays the text written, so that
     * YAML 1.1's implicit types cannot change a value picocli then parses (nm: 2:4 would be the
     * sexagesimal integer 124, seed: 0o17 octal, ratio: 1_0 ten).
     */
    private static final class TextResolver extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.BOOL, Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF");
            addImplicitResolver(Tag.NULL, Pattern.compile("^(?:~|null|Null|NULL| *)$"), "~nN\0");
            addImplicitResolver(Tag.NULL, Pattern.compile("^$"), null);
        }
    }
}
