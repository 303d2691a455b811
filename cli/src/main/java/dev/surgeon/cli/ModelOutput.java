package dev.surgeon.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.write.AtomicOutput;
import dev.surgeon.io.write.CheckpointWriter;
import dev.surgeon.io.write.OutputPaths;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.WrittenFile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a planned model for a command: resolves the output path (default: a sibling named after
 * the command), refuses an output that is an input, builds {@code __metadata__} (the input's keys,
 * {@code format: pt}, and a reproducible {@code surgeon.recipe}), writes atomically and reports.
 */
public final class ModelOutput {
    private ModelOutput() {
    }

    public static Path target(OutputOptions o, Checkpoint first, String word) {
        return o.output != null ? o.output : OutputPaths.defaultFor(first.reference(), word);
    }

    public static List<WrittenFile> write(String command, Map<String, Object> recipeOptions, List<Checkpoint> inputs,
                                          OutputOptions o, String word, List<PlannedTensor> plan, Report report) {
        return write(command, recipeOptions, inputs, o, word, plan, null, report);
    }

    /** As above; {@code config}, when not null, replaces the copied config.json (the surgery changed it). */
    public static List<WrittenFile> write(String command, Map<String, Object> recipeOptions, List<Checkpoint> inputs,
                                          OutputOptions o, String word, List<PlannedTensor> plan,
                                          com.google.gson.JsonObject config, Report report) {
        Path target = target(o, inputs.get(0), word);
        List<Path> inputPaths = new ArrayList<>();
        for (Checkpoint c : inputs) {
            inputPaths.addAll(c.inputPaths());
            if (c.kind() == Checkpoint.Kind.DIRECTORY) {
                inputPaths.add(c.root());
            }
        }
        OutputPaths.checkNotInput(target, inputPaths);
        Map<String, String> meta = metadata(command, recipeOptions, inputs.get(0).metadata());
        boolean folder = !OutputPaths.isSingleFile(target);
        List<Path> side = folder ? inputs.get(0).sideFiles() : List.of();
        OutputSpace.check(target, dev.surgeon.cli.dryrun.OutputLayout.totalBytes(target, plan, new CheckpointWriter.Options(meta, o.maxShardBytes(), side, folder ? config : null)));
        List<WrittenFile> files;
        try (AtomicOutput out = AtomicOutput.begin(target, o.force)) {
            files = CheckpointWriter.write(out, plan, new CheckpointWriter.Options(meta, o.maxShardBytes(), side, folder ? config : null));
            out.commit();
        }
        Console.note("wrote " + target);
        reportOutputs(report, target, files);
        return files;
    }

    /**
     * Warns when a surgery that changes the model's sizes ({@code what}) writes a single
     * .safetensors file, which has no config.json beside it to record them.
     */
    public static void warnIfNoConfig(Report report, OutputOptions o, Checkpoint first, String word, String what) {
        if (OutputPaths.isSingleFile(target(o, first, word)) && first.config() != null) {
            report.warn("a single .safetensors output has no config.json: " + what + " are in the report only; "
                    + "write a folder to keep them");
        }
    }

    /** The report's {@code outputs[]}: every file written, by its final path. */
    public static void reportOutputs(Report report, Path target, List<WrittenFile> files) {
        boolean folder = !OutputPaths.isSingleFile(target);
        JsonArray outs = new JsonArray();
        for (WrittenFile f : files) {
            JsonObject j = new JsonObject();
            j.addProperty("path", folder ? target.resolve(f.relativePath()).toString() : target.toString());
            j.addProperty("bytes", f.bytes());
            outs.add(j);
        }
        report.put("outputs", outs);
    }

    /**
     * The inherited metadata (the first input's; may be null), {@code format: pt}, and the recipe:
     * command, options, version. No times, memory sizes or absolute paths, so outputs stay reproducible.
     */
    public static Map<String, String> metadata(String command, Map<String, Object> recipeOptions, Map<String, String> inherited) {
        Map<String, String> meta = new TreeMap<>();
        if (inherited != null) {
            meta.putAll(inherited);
        }
        meta.put("format", "pt");
        JsonObject recipe = new JsonObject();
        recipe.addProperty("command", command);
        JsonObject opts = new JsonObject();
        new TreeMap<>(recipeOptions).forEach((k, v) -> {
            if (v != null) {
                opts.add(k, Report.gson().toJsonTree(v));
            }
        });
        recipe.add("options", opts);
        recipe.addProperty("version", VersionProvider.version());
        meta.put("surgeon.recipe", new com.google.gson.Gson().toJson(recipe));
        return meta;
    }
}
