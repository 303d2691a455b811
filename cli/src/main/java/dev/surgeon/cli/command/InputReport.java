package dev.surgeon.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.surgeon.cli.InputDigests;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.checkpoint.Checkpoint;

import java.util.Set;

/**
 * The report's {@code inputs[]} entry for an opened checkpoint, and its opening warnings. For the
 * commands that write files, the input's SHA-256 starts on a background thread here, so it
 * overlaps the command's own work; the entry gets {@code sha256} and {@code files[]} when the
 * writer joins it ({@link InputDigests#await}).
 */
final class InputReport {
    /** Commands whose outputs record their inputs' digests; read-only commands do not pay for hashing. */
    private static final Set<String> WRITERS = Set.of("convert", "prune", "scale", "average", "merge",
            "mask apply", "mask compute", "calibrate");

    private InputReport() {
    }

    /** Adds the input and passes on the warnings met while opening it. */
    static void add(Report report, Checkpoint c) {
        report.warnAll(c.warnings());
        JsonArray arr = report.root().has("inputs") ? report.root().getAsJsonArray("inputs") : new JsonArray();
        JsonObject o = new JsonObject();
        o.addProperty("path", c.reference());
        o.addProperty("tensors", c.tensors().size());
        o.addProperty("bytes", c.totalBytes());
        arr.add(o);
        if (report.root().has("command") && WRITERS.contains(report.root().get("command").getAsString())) {
            InputDigests.start(c, o);
        }
        report.put("inputs", arr);
    }
}
