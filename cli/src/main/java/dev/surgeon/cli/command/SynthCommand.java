package dev.surgeon.cli.command;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.surgeon.cli.Console;
import dev.surgeon.cli.DryRunOption;
import dev.surgeon.cli.OutputSpace;
import dev.surgeon.cli.dryrun.DryRun;
import dev.surgeon.cli.dryrun.Estimate;
import dev.surgeon.cli.dryrun.ModelSize;
import dev.surgeon.cli.dryrun.OutputLayout;
import dev.surgeon.cli.LoggingOptions;
import dev.surgeon.cli.ModelOutput;
import dev.surgeon.cli.ReportOptions;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.util.ByteSize;
import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.ops.synth.SynthConfig;
import dev.surgeon.ops.synth.SynthPlan;
import dev.surgeon.ops.synth.SynthSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code surgeon synth}: a seeded random model in Hugging Face layout, for tests and benchmarks. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Write a seeded random model: LLaMA or GPT-2 layout, Hugging Face tensor names, config.json.",
                "Same options and seed give byte-identical files. Data is generated in chunks, "
                        + "so models of billions of parameters need little memory."})
public final class SynthCommand implements Callable<Integer> {
    @Option(names = "--arch", paramLabel = "ARCH", defaultValue = "llama",
            description = "Architecture: llama (LlamaForCausalLM) or gpt2 (GPT2LMHeadModel). Default: ${DEFAULT-VALUE}.")
    String arch;

    @Option(names = "--layers", paramLabel = "N", defaultValue = "2",
            description = "Number of transformer blocks. Default: ${DEFAULT-VALUE}.")
    int layers;

    @Option(names = "--hidden", paramLabel = "H", defaultValue = "64",
            description = "Hidden size (elements per token vector); divisible by --heads. Default: ${DEFAULT-VALUE}.")
    int hidden;

    @Option(names = "--intermediate", paramLabel = "I", defaultValue = "172",
            description = "MLP inner size (elements). Default: ${DEFAULT-VALUE}.")
    int intermediate;

    @Option(names = "--heads", paramLabel = "A", defaultValue = "4",
            description = "Attention heads; head_dim = H / A. Default: ${DEFAULT-VALUE}.")
    int heads;

    @Option(names = "--kv-heads", paramLabel = "K",
            description = "Key/value heads (grouped-query attention, llama only); divides --heads. Default: same as --heads.")
    Integer kvHeads;

    @Option(names = "--vocab", paramLabel = "V", defaultValue = "256",
            description = "Vocabulary size (tokens). Default: ${DEFAULT-VALUE}.")
    int vocab;

    @Option(names = "--max-positions", paramLabel = "P", defaultValue = "1024",
            description = "Context length (tokens): max_position_embeddings, or GPT-2's n_positions and wpe rows. Default: ${DEFAULT-VALUE}.")
    int positions;

    @Option(names = "--dtype", paramLabel = "DTYPE", defaultValue = "bf16",
            description = "Element type of every tensor: bf16, f16 or f32. Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Random seed (64-bit integer); the output is a function of it and the sizes. Default: ${DEFAULT-VALUE}.")
    long seed;

    // Own output options rather than the OutputOptions mixin: synth has no input to name a default after.
    @Option(names = {"-o", "--output"}, paramLabel = "OUT", required = true,
            description = "Output: a folder (Hugging Face layout, with config.json), a path ending in .safetensors "
                    + "(the weights only), or an archive of the folder (.tar, .tar.gz, .tgz, .zip). Required.")
    Path output;

    @Option(names = "--force", description = "Replace an existing output. Default: off (an existing output is refused, exit 4).")
    boolean force;

    @Option(names = "--max-shard-size", paramLabel = "SIZE",
            description = "Split the output into shards of at most SIZE bytes of tensors (suffixes K, M, G; e.g. 5G), "
                    + "with model.safetensors.index.json. Default: one file.")
    String maxShardSize;

    @Option(names = "--no-card", description = "Do not write README.md (model card) into a folder output. Default: a card is written.")
    boolean noCard;

    @Mixin
    ReportOptions reportOptions;

    @Mixin
    DryRunOption dryRun;

    @Mixin
    LoggingOptions logging;

    @Override
    public Integer call() {
        SynthSpec spec = new SynthSpec(parseArch(arch), layers, hidden, intermediate, heads,
                kvHeads == null ? heads : kvHeads, vocab, positions, parseDtype(dtype), seed);
        List<PlannedTensor> plan = SynthPlan.build(spec);
        Map<String, Object> recipe = recipe(spec);
        Report report = new Report("synth");
        report.put("params", Report.gson().toJsonTree(recipe));
        report.put("seed", seed);
        long params = SynthPlan.params(plan);
        if (dryRun.on()) {
            return dryRun(output, spec, plan, recipe, report);
        }
        write(output, spec, plan, recipe, report);
        Console.note(params + " parameters");
        report.summary().addProperty("params_after", params);
        report.emit(reportOptions);
        return 0;
    }

    /** --dry-run: the files synth would write (exact sizes), nothing generated. */
    private int dryRun(Path target, SynthSpec spec, List<PlannedTensor> plan, Map<String, Object> recipe, Report report) {
        DryRun d = DryRun.generated("synth", target, force, files(target, spec, plan, recipe), plan);
        return d.estimate(Estimate.elementwise(ModelSize.of(plan), 0, 1, 0, d.bytes())).finish(report, reportOptions);
    }

    /** The files {@link #write} writes, with their sizes. */
    private List<OutputLayout.File> files(Path target, SynthSpec spec, List<PlannedTensor> plan, Map<String, Object> recipe) {
        return OutputLayout.of(target, plan, ModelOutput.newOptions("synth", recipe, target, maxShardBytes(), noCard, "synthetic",
                spec.arch().modelType, config(spec), new Report("synth")));
    }

    private static JsonObject config(SynthSpec spec) {
        return JsonParser.parseString(SynthConfig.json(spec)).getAsJsonObject();
    }

    private void write(Path target, SynthSpec spec, List<PlannedTensor> plan, Map<String, Object> recipe, Report report) {
        ModelOutput.writeNew("synth", recipe, target, force, maxShardBytes(), noCard, "synthetic", spec.arch().modelType,
                plan, config(spec), report);
    }

    private long maxShardBytes() {
        return maxShardSize == null ? 0 : ByteSize.parse(maxShardSize);
    }

    private Map<String, Object> recipe(SynthSpec s) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("arch", s.arch().modelType);
        r.put("layers", s.layers());
        r.put("hidden", s.hidden());
        r.put("intermediate", s.intermediate());
        r.put("heads", s.heads());
        r.put("kv_heads", s.kvHeads());
        r.put("vocab", s.vocab());
        r.put("max_positions", s.positions());
        r.put("dtype", s.dtype().name());
        r.put("seed", s.seed());
        r.put("max_shard_size", maxShardBytes() == 0 ? null : maxShardBytes());
        return r;
    }

    private static SynthSpec.Arch parseArch(String s) {
        switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "llama": return SynthSpec.Arch.LLAMA;
            case "gpt2": return SynthSpec.Arch.GPT2;
            default: throw new UsageException("--arch must be llama or gpt2, not '" + s + "'");
        }
    }

    private static DType parseDtype(String s) {
        DType d = DType.parseUserName(s);
        if (d != DType.BF16 && d != DType.F16 && d != DType.F32) {
            throw new UsageException("--dtype must be bf16, f16 or f32, not '" + s + "'");
        }
        return d;
    }
}
