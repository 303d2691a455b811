package dev.surgeon.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.write.AtomicOutput;
import dev.surgeon.io.write.CheckpointWriter;
import dev.surgeon.io.write.OutputPaths;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.WriteProgress;
import dev.surgeon.io.write.WrittenFile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Writes a planned model for a command: resolves the output path (default: a sibling named after
 * the command), refuses an output that is an input, builds {@code __metadata__} (the input's keys,
 * {@code format: pt}, and a reproducible {@code surgeon.recipe} naming the inputs by name and
 * SHA-256), writes atomically with a model card and checksums, and reports every file's digest.
 */
public final class ModelOutput {
    private ModelOutput() {
    }

    public static Path target(OutputOptions o, Checkpoint first, String word) {
        return o.output != null ? o.output : OutputPaths.defaultFor(first.reference(), word);
    }

    /** The schema's parameter counts, unless the command reports its own (pruning counts nonzeros). */
    public static void countParams(Report report, Checkpoint first, List<PlannedTensor> plan) {
        JsonObject summary = report.summary();
        if (!summary.has("params_before")) {
            summary.addProperty("params_before", first.tensors().values().stream()
                    .mapToLong(t -> dev.surgeon.io.safetensors.Shapes.numel(t.info().shape())).sum());
        }
        if (!summary.has("params_after")) {
            summary.addProperty("params_after", plan.stream().mapToLong(PlannedTensor::numel).sum());
        }
    }

    /** The output path, refused when it is (or holds) one of the inputs' files. */
    public static Path checkedTarget(OutputOptions o, List<Checkpoint> inputs, String word) {
        Path target = target(o, inputs.get(0), word);
        List<Path> inputPaths = new ArrayList<>();
        for (Checkpoint c : inputs) {
            inputPaths.addAll(c.inputPaths());
            if (c.kind() == Checkpoint.Kind.DIRECTORY) {
                inputPaths.add(c.root());
            }
        }
        OutputPaths.checkNotInput(target, inputPaths);
        return target;
    }

    public static List<WrittenFile> write(String command, Map<String, Object> recipeOptions, List<Checkpoint> inputs,
                                          OutputOptions o, String word, List<PlannedTensor> plan, Report report) {
        return write(command, recipeOptions, inputs, o, word, plan, null, report);
    }

    /** As above; {@code config}, when not null, replaces the copied config.json (the surgery changed it). */
    public static List<WrittenFile> write(String command, Map<String, Object> recipeOptions, List<Checkpoint> inputs,
                                          OutputOptions o, String word, List<PlannedTensor> plan,
                                          JsonObject config, Report report) {
        Path target = checkedTarget(o, inputs, word);
        countParams(report, inputs.get(0), plan);
        // Space first, with digest placeholders of the same length, so a full disk fails before the hashing wait.
        List<InputDigests.Digest> placeholders = new ArrayList<>();
        for (Checkpoint c : inputs) {
            placeholders.add(InputDigests.placeholder(c));
        }
        OutputSpace.check(target, dev.surgeon.cli.dryrun.OutputLayout.totalBytes(target, plan,
                options(command, recipeOptions, inputs, o, word, config, report, placeholders)));
        List<InputDigests.Digest> digests = new ArrayList<>();
        for (Checkpoint c : inputs) {
            digests.add(InputDigests.await(c));
        }
        return writeTo(target, o.force, plan, options(command, recipeOptions, inputs, o, word, config, report, digests), report);
    }

    /**
     * The writer's options for a model made from {@code inputs}: metadata with the recipe, side
     * files, config, the model card (folder and archive outputs, unless --no-card) and checksums.
     * A dry run passes {@link InputDigests#placeholder} digests: same lengths, so the same sizes.
     */
    public static CheckpointWriter.Options options(String command, Map<String, Object> recipeOptions, List<Checkpoint> inputs,
                                                   OutputOptions o, String word, JsonObject config, Report report,
                                                   List<InputDigests.Digest> digests) {
        Path target = target(o, inputs.get(0), word);
        List<String> bases = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            bases.add(ModelCard.baseModel(inputs.get(i).config(), digests.get(i).name()));
        }
        Map<String, String> meta = metadata(command, recipeOptions, inputs.get(0).metadata(), digests);
        boolean folder = !OutputPaths.isSingleFile(target);
        List<Path> side = folder ? inputs.get(0).sideFiles() : List.of();
        JsonObject cfg = folder ? config : null;
        boolean hasConfig = cfg != null || side.stream().anyMatch(p -> p.getFileName().toString().equals("config.json"));
        Function<List<WrittenFile>, String> card = folder && !o.noCard
                ? written -> ModelCard.text(new ModelCard.Facts(command, word, method(report), target, bases,
                        meta.get("surgeon.recipe"), digests, written, hasConfig, report))
                : null;
        return new CheckpointWriter.Options(meta, o.maxShardBytes(), side, cfg, WriteProgress.NONE, card, true);
    }

    /**
     * Writes a model made from no input (synth): the recipe has no inputs, the card no base model.
     * {@code config} is written as config.json in a folder or archive output.
     */
    public static List<WrittenFile> writeNew(String command, Map<String, Object> recipeOptions, Path target, boolean force,
                                             long maxShardBytes, boolean noCard, String tag, String method,
                                             List<PlannedTensor> plan, JsonObject config, Report report) {
        CheckpointWriter.Options opt = newOptions(command, recipeOptions, target, maxShardBytes, noCard, tag, method, config, report);
        OutputSpace.check(target, dev.surgeon.cli.dryrun.OutputLayout.totalBytes(target, plan, opt));
        return writeTo(target, force, plan, opt, report);
    }

    /** The writer's options for {@link #writeNew}. */
    public static CheckpointWriter.Options newOptions(String command, Map<String, Object> recipeOptions, Path target,
                                                      long maxShardBytes, boolean noCard, String tag, String method,
                                                      JsonObject config, Report report) {
        Map<String, String> meta = metadata(command, recipeOptions, null, List.of());
        boolean folder = !OutputPaths.isSingleFile(target);
        Function<List<WrittenFile>, String> card = folder && !noCard
                ? written -> ModelCard.text(new ModelCard.Facts(command, tag, method, target, List.of(),
                        meta.get("surgeon.recipe"), List.of(), written, config != null, report))
                : null;
        return new CheckpointWriter.Options(meta, maxShardBytes, List.of(), folder ? config : null, WriteProgress.NONE, card, true);
    }

    private static List<WrittenFile> writeTo(Path target, boolean force, List<PlannedTensor> plan, CheckpointWriter.Options opt,
                                             Report report) {
        List<WrittenFile> files;
        String label = report.root().get("command").getAsString();
        // a bar on stderr while the tensors are written, when stderr is a terminal and not -q
        try (AtomicOutput out = AtomicOutput.begin(target, force);
             ProgressBar bar = ProgressBar.create(label, Progress.wanted(null))) {
            files = CheckpointWriter.write(out, plan, new CheckpointWriter.Options(opt.metadata(), opt.maxShardBytes(),
                    opt.sideFiles(), opt.config(), bar, opt.card(), opt.checksums()));
            out.commit();
        }
        Console.note("wrote " + target);
        reportOutputs(report, target, files);
        return files;
    }

    private static String method(Report report) {
        JsonObject r = report.root();
        return r.has("method") && r.get("method").isJsonPrimitive() ? r.get("method").getAsString() : null;
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

    /**
     * The report's {@code outputs[]}: every file written, by its final path, with its length and
     * SHA-256 (for a single file or archive: it and its .sha256 beside it).
     */
    public static void reportOutputs(Report report, Path target, List<WrittenFile> files) {
        boolean folder = !OutputPaths.isStagedAsFile(target);
        JsonArray outs = new JsonArray();
        for (WrittenFile f : files) {
            JsonObject j = new JsonObject();
            j.addProperty("path", (folder ? target.resolve(f.relativePath()) : target.resolveSibling(f.relativePath())).toString());
            j.addProperty("bytes", f.bytes());
            j.addProperty("sha256", f.sha256());
            outs.add(j);
        }
        report.put("outputs", outs);
    }

    /** As {@link #metadata(String, Map, Map, List)} with no inputs. */
    public static Map<String, String> metadata(String command, Map<String, Object> recipeOptions, Map<String, String> inherited) {
        return metadata(command, recipeOptions, inherited, List.of());
    }

    /**
     * The inherited metadata (the first input's; may be null), {@code format: pt}, and the recipe:
     * command, options, inputs (name and SHA-256; names only, never paths), version. No times,
     * memory sizes or absolute paths, so outputs stay reproducible.
     */
    public static Map<String, String> metadata(String command, Map<String, Object> recipeOptions, Map<String, String> inherited,
                                               List<InputDigests.Digest> inputs) {
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
        JsonArray ins = new JsonArray();
        for (InputDigests.Digest d : inputs) {
            JsonObject i = new JsonObject();
            i.addProperty("name", d.name());
            i.addProperty("sha256", d.sha256());
            ins.add(i);
        }
        recipe.add("inputs", ins);
        recipe.addProperty("version", VersionProvider.version());
        meta.put("surgeon.recipe", new com.google.gson.Gson().toJson(recipe));
        return meta;
    }
}
