package dev.surgeon.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.checkpoint.Checkpoint;

/** The report's {@code inputs[]} entry for an opened checkpoint, and its opening warnings. */
final class InputReport {
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
        report.put("inputs", arr);
    }
}
