package dev.surgeon.cli.dryrun;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.surgeon.cli.Console;
import dev.surgeon.cli.ModelOutput;
import dev.surgeon.cli.OutputOptions;
import dev.surgeon.cli.OutputSpace;
import dev.surgeon.cli.ReportOptions;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.error.IoFailureException;
import dev.surgeon.io.safetensors.Shapes;
import dev.surgeon.io.safetensors.TensorInfo;
import dev.surgeon.io.write.CheckpointWriter;
import dev.surgeon.io.write.OutputPaths;
import dev.surgeon.io.write.PlannedTensor;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The plan of a writing command run with --dry-run: the files it would write (exact sizes from
 * the plan's headers, or an estimate where calibration decides the shapes), the tensors and which
 * of them the method touches, and estimates of memory and time. {@link #finish} prints it (or puts
 * it in the report as {@code dry_run}) and fails with exit 4 when the output's disk is too small.
 * Nothing is written but the report a --report FILE asks for.
 */
public final class DryRun {
    /** Touched tensors listed without -v. */
    static final int SHOWN = 20;

    /** One output tensor: its input's dtype and shape (null when no input tensor has its name) and its own. */
    record Row(String name, String inDtype, long[] inShape, String outDtype, long[] outShape, boolean touched) {
    }

    private final String command;
    private final Path target;
    private final List<OutputLayout.File> files;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private boolean exact = true;
    private String shapes;
    private Estimate estimate;

    private DryRun(String command, Path target, List<OutputLayout.File> files) {
        this.command = command;
        this.target = target;
        this.files = new ArrayList<>(files);
    }

    /**
     * A model output as {@link ModelOutput#write} would write it, with its checks: the output is
     * no input, an existing output needs --force, --max-shard-size needs a folder.
     */
    public static DryRun model(Report report, String command, Map<String, Object> recipe, List<Checkpoint> inputs, OutputOptions o,
                               String word, List<PlannedTensor> plan, JsonObject config, Predicate<PlannedTensor> touched) {
        Path target = ModelOutput.checkedTarget(o, inputs, word);
        ModelOutput.countParams(report, inputs.get(0), plan); // as the real run, so the card has the same numbers
        checkFree(target, o.force);
        List<dev.surgeon.cli.InputDigests.Digest> digests = new ArrayList<>();
        for (Checkpoint c : inputs) {
            digests.add(dev.surgeon.cli.InputDigests.placeholder(c));
        }
        DryRun d = new DryRun(command, target, OutputLayout.of(target, plan,
                ModelOutput.options(command, recipe, inputs, o, word, config, report, digests)));
        d.rows(plan, inputs.get(0), touched);
        return d;
    }

    /** One safetensors file (a mask or statistics file) written atomically to {@code target}. */
    public static DryRun file(String command, Path target, boolean force, List<Path> inputs, Map<String, String> meta,
                              List<PlannedTensor> plan, Checkpoint like, Predicate<PlannedTensor> touched) {
        OutputPaths.checkNotInput(target, inputs);
        checkFree(target, force);
        DryRun d = new DryRun(command, target, List.of(OutputLayout.safetensors(target.getFileName().toString(), meta, plan)));
        d.rows(plan, like, touched);
        return d;
    }

    /** Files listed by the caller (a generated model: no input), all of {@code plan} touched. */
    public static DryRun generated(String command, Path target, boolean force, List<OutputLayout.File> files,
                                   List<PlannedTensor> plan) {
        checkFree(target, force);
        DryRun d = new DryRun(command, target, files);
        d.rows(plan, null, t -> true);
        return d;
    }

    /** As {@code AtomicOutput.begin} refuses: an existing output without --force (exit 4). */
    private static void checkFree(Path target, boolean force) {
        if (Files.exists(target) && !force) {
            throw new IoFailureException(target + ": output exists; use --force to replace it");
        }
    }

    private void rows(List<PlannedTensor> plan, Checkpoint like, Predicate<PlannedTensor> touched) {
        for (PlannedTensor t : plan) {
            TensorRef r = like == null ? null : like.tensors().get(t.name());
            TensorInfo in = r == null ? null : r.info();
            rows.add(new Row(t.name(), in == null ? null : in.dtype().name(), in == null ? null : in.shape(),
                    t.dtype().name(), t.shape(), touched.test(t)));
        }
    }

    /** The default for "touched": the tensor is computed, not a byte copy of an input's. */
    public static boolean computed(PlannedTensor t) {
        return !(t.content() instanceof dev.surgeon.ops.content.SourceCopy);
    }

    /**
     * For outputs whose shapes calibration decides (COMP): the tensor data is scaled to the kept
     * fraction of parameters, the rest of each file (length and header) kept as planned; sizes become estimates.
     */
    public DryRun keepFraction(double keep, String why) {
        for (int i = 0; i < files.size(); i++) {
            OutputLayout.File f = files.get(i);
            if (f.data() > 0) {
                long data = Math.round(f.data() * keep);
                files.set(i, new OutputLayout.File(f.name(), f.bytes() - f.data() + data, f.tensors(), data));
            }
        }
        exact = false;
        shapes = why;
        return this;
    }

    /** The sizes are close but not exact (e.g. the recipe in the header holds a value a search chooses). */
    public DryRun inexact(String why) {
        exact = false;
        notes.add(why);
        return this;
    }

    public DryRun estimate(Estimate e) {
        this.estimate = e;
        return this;
    }

    public DryRun note(String n) {
        notes.add(n);
        return this;
    }

    public long bytes() {
        return files.stream().mapToLong(OutputLayout.File::bytes).sum();
    }

    /** Prints the plan (or reports it), emits the report, and returns 0, or exit 4 when the output does not fit. */
    public int finish(Report report, ReportOptions ro) {
        OutputSpace.Free free = OutputSpace.free(target);
        long needed = bytes();
        boolean fits = free.bytes() >= needed;
        report.put("dry_run", json(fits, free, needed));
        if (!ro.json) {
            print(System.out, fits, free, needed);
            System.out.flush();
        }
        report.emit(ro);
        if (!fits) {
            throw new IoFailureException(OutputSpace.message(target, needed, free));
        }
        return 0;
    }

    private boolean folder() {
        return !OutputPaths.isSingleFile(target);
    }

    private String pathOf(OutputLayout.File f) {
        return folder() ? target.resolve(f.name()).toString() : target.toString();
    }

    private long touchedCount() {
        return rows.stream().filter(Row::touched).count();
    }

    private JsonObject json(boolean fits, OutputSpace.Free free, long needed) {
        JsonObject d = new JsonObject();
        d.addProperty("fits", fits);
        d.addProperty("free_bytes", free.bytes());
        d.addProperty("free_on", free.mount().toString());
        d.addProperty("target", target.toString());
        d.addProperty("layout", layout());
        d.addProperty("exact", exact);
        JsonArray outs = new JsonArray();
        for (OutputLayout.File f : files) {
            JsonObject o = new JsonObject();
            o.addProperty("path", pathOf(f));
            o.addProperty("bytes", f.bytes());
            outs.add(o);
        }
        d.add("outputs", outs);
        JsonObject e = new JsonObject();
        e.addProperty("disk_bytes", needed);
        if (estimate != null) {
            e.addProperty("peak_memory_bytes", estimate.peakMemoryBytes());
            e.addProperty("seconds", Math.round(estimate.seconds() * 10) / 10.0);
            e.addProperty("memory_formula", estimate.memoryFormula());
            e.addProperty("time_formula", estimate.timeFormula());
        }
        d.add("estimates", e);
        JsonObject t = new JsonObject();
        t.addProperty("total", rows.size());
        t.addProperty("touched", touchedCount());
        t.addProperty("copied", rows.size() - touchedCount());
        d.add("tensors", t);
        JsonArray plan = new JsonArray();
        for (Row r : rows) {
            JsonObject o = new JsonObject();
            o.addProperty("name", r.name());
            o.addProperty("dtype", r.outDtype());
            o.add("shape", shape(r.outShape()));
            o.addProperty("touched", r.touched());
            plan.add(o);
        }
        d.add("plan", plan);
        if (shapes != null) {
            d.addProperty("shapes", shapes);
        }
        JsonArray n = new JsonArray();
        notes.forEach(n::add);
        d.add("notes", n);
        return d;
    }

    private static JsonArray shape(long[] s) {
        JsonArray a = new JsonArray();
        for (long v : s) {
            a.add(v);
        }
        return a;
    }

    private String layout() {
        if (!folder()) {
            return "single file";
        }
        long shards = files.stream().filter(f -> f.name().endsWith(".safetensors")).count();
        return shards > 1 ? shards + " shards" : "folder";
    }

    private void print(PrintStream out, boolean fits, OutputSpace.Free free, long needed) {
        String approx = exact ? "" : "~";
        out.printf(Locale.ROOT, "dry run: %s -> %s (%s); nothing written%n", command, target, layout());
        out.println("files:");
        for (OutputLayout.File f : files) {
            out.printf(Locale.ROOT, "  %-40s %s%,15d bytes%s%n", f.name(), approx, f.bytes(),
                    f.tensors() > 0 ? "  (" + f.tensors() + " tensors)" : "");
        }
        long touched = touchedCount();
        out.printf(Locale.ROOT, "tensors: %d total, %d touched, %d copied%n", rows.size(), touched, rows.size() - touched);
        if (shapes != null) {
            out.println("  output shapes: " + shapes);
        }
        int shown = 0;
        for (Row r : rows) {
            if (!r.touched()) {
                continue;
            }
            if (shown == SHOWN && !Console.verbose()) {
                out.printf(Locale.ROOT, "  ... and %d more touched tensors (-v lists all)%n", touched - shown);
                break;
            }
            String in = r.inDtype() == null ? "(new)" : r.inDtype() + " " + Shapes.format(r.inShape());
            String o = shapes != null ? "decided by calibration" : r.outDtype() + " " + Shapes.format(r.outShape());
            out.printf(Locale.ROOT, "  %-48s %s -> %s%n", r.name(), in, o);
            shown++;
        }
        out.println("estimates:");
        out.printf(Locale.ROOT, "  output bytes: %s%d (%s%s)%s%n", approx, needed, approx, ByteText.of(needed),
                exact ? ", exact" : ", estimate: the parameter budget");
        out.printf(Locale.ROOT, "  free space:   %d (%s) on %s: %s%n", free.bytes(), ByteText.of(free.bytes()), free.mount(),
                fits ? "fits" : "does NOT fit");
        if (estimate != null) {
            out.printf(Locale.ROOT, "  peak memory:  %s (rough: %s)%n", ByteText.of(estimate.peakMemoryBytes()), estimate.memoryFormula());
            out.printf(Locale.ROOT, "  time:         %.1f s (rough: %s)%n", estimate.seconds(), estimate.timeFormula());
        }
        for (String n : notes) {
            out.println("note: " + n);
        }
    }
}
