package dev.surgeon.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.write.ArchiveFiles;
import dev.surgeon.io.write.OutputPaths;
import dev.surgeon.io.write.WrittenFile;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The README.md model card of a folder (or archive) output: YAML front matter in the Hugging Face
 * vocabulary (base_model, base_model_relation, tags, library_name), then what made the model (the
 * recipe), the input digests, the files and the key numbers the command reported. Deterministic:
 * no dates, no absolute paths, no host names, so reruns give the same bytes.
 */
public final class ModelCard {
    private static final Pattern HUB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]*");
    /** Report fields that vary between runs or name local things, left out of the card. */
    private static final Pattern VOLATILE = Pattern.compile("(?i).*(seconds|time|rss|memory|thread|worker|path|file|data|report).*");

    /** What the card says; {@code written} are the files written before the card. */
    public record Facts(String command, String tag, String method, Path target, List<String> baseModels, String recipeJson,
                        List<InputDigests.Digest> inputs, List<WrittenFile> written, boolean hasConfig, Report report) {
    }

    private ModelCard() {
    }

    /**
     * The base model's name: config.json's {@code _name_or_path} when it looks like a Hub id
     * (owner/name, not a local path), otherwise {@code fallback} (the input's folder or file name).
     */
    public static String baseModel(JsonObject config, String fallback) {
        if (config != null && config.has("_name_or_path") && config.get("_name_or_path").isJsonPrimitive()) {
            String n = config.get("_name_or_path").getAsString();
            if (HUB_ID.matcher(n).matches() && !n.startsWith(".")) {
                return n;
            }
        }
        return fallback;
    }

    public static String text(Facts f) {
        StringBuilder sb = new StringBuilder();
        sb.append("---\n");
        Set<String> bases = new LinkedHashSet<>(f.baseModels());
        if (bases.size() == 1) {
            sb.append("base_model: ").append(yaml(bases.iterator().next())).append('\n');
        } else if (bases.size() > 1) {
            sb.append("base_model:\n");
            bases.forEach(b -> sb.append("- ").append(yaml(b)).append('\n'));
        }
        if (!bases.isEmpty() && (f.command().equals("merge") || f.command().equals("average"))) {
            sb.append("base_model_relation: merge\n");
        }
        sb.append("tags:\n- surgeon\n- ").append(yaml(f.tag())).append('\n');
        if (f.method() != null && !f.method().isBlank()) {
            sb.append("- ").append(yaml(f.method())).append('\n');
        }
        if (f.hasConfig()) {
            sb.append("library_name: transformers\n");
        }
        sb.append("---\n\n");
        sb.append("# ").append(name(f.target())).append("\n\n");
        sb.append("Made by `surgeon ").append(f.command()).append('`');
        if (!bases.isEmpty()) {
            sb.append(" from ").append(String.join(", ", bases.stream().map(b -> "`" + b + "`").toList()));
        }
        sb.append(". The recipe below is also stored in the `surgeon.recipe` entry of every safetensors file's "
                + "`__metadata__`; `SHA256SUMS` holds the SHA-256 of every file here (check with `sha256sum -c SHA256SUMS` "
                + "or `surgeon verify`).\n\n");
        sb.append("## Recipe\n\n```json\n")
                .append(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(JsonParser.parseString(f.recipeJson())))
                .append("\n```\n\n");
        if (!f.inputs().isEmpty()) {
            sb.append("## Inputs\n\n| input | SHA-256 |\n|---|---|\n");
            for (InputDigests.Digest d : f.inputs()) {
                sb.append("| ").append(cell(d.name())).append(" | `").append(d.sha256()).append("` |\n");
            }
            sb.append("\nA folder input's SHA-256 is that of its file list in SHA256SUMS format, sorted by path.\n\n");
        }
        sb.append("## Files\n\n| file | bytes |\n|---|---:|\n");
        for (WrittenFile w : f.written()) {
            sb.append("| ").append(cell(w.relativePath())).append(" | ").append(w.bytes()).append(" |\n");
        }
        sb.append("\nplus this README.md and SHA256SUMS.\n");
        String numbers = numbers(f.report());
        if (!numbers.isEmpty()) {
            sb.append("\n## Key numbers\n\n| field | value |\n|---|---|\n").append(numbers);
        }
        return sb.toString();
    }

    /** The report's summary and params fields known at write time, without the run-dependent ones. */
    private static String numbers(Report report) {
        StringBuilder sb = new StringBuilder();
        for (String section : new String[] {"summary", "params"}) {
            JsonElement e = report.root().get(section);
            if (e == null || !e.isJsonObject()) {
                continue;
            }
            for (Map.Entry<String, JsonElement> en : e.getAsJsonObject().entrySet()) {
                JsonElement v = en.getValue();
                if (v.isJsonNull() || VOLATILE.matcher(en.getKey()).matches() || looksLikePath(v)) {
                    continue;
                }
                String text = v.isJsonPrimitive() ? v.getAsString() : new com.google.gson.Gson().toJson(v);
                if (text.length() > 200) {
                    continue; // long per-block arrays belong in the report, not the card's table
                }
                sb.append("| ").append(section).append('.').append(cell(en.getKey())).append(" | ").append(cell(text)).append(" |\n");
            }
        }
        return sb.toString();
    }

    private static boolean looksLikePath(JsonElement v) {
        return v.isJsonPrimitive() && v.getAsJsonPrimitive().isString()
                && (v.getAsString().contains("/") || v.getAsString().contains("\\"));
    }

    private static String name(Path target) {
        return OutputPaths.isArchive(target) ? ArchiveFiles.topFolder(target) : target.getFileName().toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    /** A YAML scalar: plain when safe, else double-quoted. */
    static String yaml(String s) {
        if (PLAIN.matcher(s).matches() && !s.toLowerCase(Locale.ROOT).matches("true|false|null|yes|no|on|off|~|[0-9.e+-]+")) {
            return s;
        }
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
