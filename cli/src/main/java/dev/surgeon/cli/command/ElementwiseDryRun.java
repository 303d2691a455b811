package dev.surgeon.cli.command;

import dev.surgeon.cli.report.Report;
import com.google.gson.JsonObject;
import dev.surgeon.cli.OutputOptions;
import dev.surgeon.cli.dryrun.DryRun;
import dev.surgeon.cli.dryrun.Estimate;
import dev.surgeon.cli.dryrun.ModelSize;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.ops.align.AlignedModels;
import dev.surgeon.ops.align.ElementwisePlan;
import dev.surgeon.ops.align.TensorGroup;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** --dry-run of the element-wise commands (scale, average, merge): the plan, its estimates, and the finish. */
final class ElementwiseDryRun {
    private ElementwiseDryRun() {
    }

    /**
     * The output's tensors with their final names, dtypes, shapes and order, built without the
     * method's passes over the data (TIES thresholds, SLERP norms, searches): every group a copy.
     */
    static List<PlannedTensor> shapes(AlignedModels models, DType target) {
        return ElementwisePlan.build(models, target, g -> null);
    }

    /** Touched by a merge or a scale: the floating-point tensors (the rest are copied from the base). */
    static Predicate<PlannedTensor> floats(AlignedModels models) {
        Set<String> f = models.groups().stream().filter(TensorGroup::isFloat).map(TensorGroup::name).collect(Collectors.toSet());
        return t -> f.contains(t.name());
    }

    static DryRun plan(Report report, String command, String word, Map<String, Object> recipe, List<Checkpoint> inputs, OutputOptions o,
                       List<PlannedTensor> plan, JsonObject config, Predicate<PlannedTensor> touched, int threads) {
        DryRun d = DryRun.model(report, command, recipe, inputs, o, word, plan, config, touched);
        long read = inputs.stream().mapToLong(Checkpoint::totalBytes).sum();
        return d.estimate(Estimate.elementwise(ModelSize.of(inputs.get(0)), inputs.size(), threads, read, d.bytes()));
    }
}
