package dev.surgeon.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.surgeon.cli.report.Report;
import dev.surgeon.ops.prune.comp.BlockFacts;
import dev.surgeon.ops.prune.comp.Candidate;
import dev.surgeon.ops.prune.comp.Comp;
import dev.surgeon.ops.prune.comp.StructuredPlan;

import java.io.PrintStream;
import java.util.Map;

/**
 * How {@code prune --method comp} reports: the parameter counts, every whole-block count tried
 * with its calibration NLL, and per block its importance, MLP width before and after and the
 * reconstruction error of its MLP output before and after mask tuning.
 */
final class CompView {
    private CompView() {
    }

    static void report(Report report, Map<String, Object> params, Comp.Result r, StructuredPlan plan) {
        report.put("params", Report.gson().toJsonTree(params));
        JsonObject s = report.summary();
        s.addProperty("params_before", r.paramsBefore());
        s.addProperty("params_after", r.paramsAfter());
        s.addProperty("ratio_removed", removed(r));
        s.addProperty("blocks_before", r.blocks().size());
        s.addProperty("blocks_after", r.edit().outputBlockCount());
        s.addProperty("blocks_removed", r.edit().removedBlocks().size());
        Candidate chosen = r.candidates().get(r.chosen());
        s.addProperty("neurons_removed", chosen.neuronsRemoved());
        Fmt.put(s, "calibration_nll", chosen.calibrationNll());
        JsonArray widths = new JsonArray();
        for (int w : plan.widths()) {
            widths.add(w);
        }
        s.add("widths", widths);

        JsonArray blocks = new JsonArray();
        for (BlockFacts b : r.blocks()) {
            JsonObject o = new JsonObject();
            o.addProperty("index", b.block());
            o.addProperty("importance", b.importance());
            o.addProperty("removed", b.removed());
            if (!b.removed()) {
                o.addProperty("output_index", r.edit().outputIndex(b.block()));
            }
            o.addProperty("width_before", b.width());
            o.addProperty("width_after", b.kept());
            Fmt.put(o, "error_before", b.errorBefore());
            Fmt.put(o, "error_after", b.errorAfter());
            o.addProperty("tuning", tuning(b, params));
            if (b.fallback() != null) {
                o.addProperty("fallback", b.fallback());
            }
            blocks.add(o);
        }
        report.put("blocks", blocks);

        JsonArray cands = new JsonArray();
        for (int i = 0; i < r.candidates().size(); i++) {
            Candidate c = r.candidates().get(i);
            JsonObject o = new JsonObject();
            JsonArray rb = new JsonArray();
            c.removedBlocks().forEach(rb::add);
            o.add("removed_blocks", rb);
            o.addProperty("neurons_removed", c.neuronsRemoved());
            if (c.paramsAfter() >= 0) {
                o.addProperty("params_after", c.paramsAfter());
            }
            Fmt.put(o, "calibration_nll", c.calibrationNll());
            o.addProperty("chosen", i == r.chosen());
            if (c.note() != null) {
                o.addProperty("note", c.note());
            }
            cands.add(o);
        }
        report.put("candidates", cands);
    }

    static void print(PrintStream out, double ratio, Comp.Result r, StructuredPlan plan) {
        Candidate chosen = r.candidates().get(r.chosen());
        out.println("comp at " + Fmt.num(ratio) + ": " + Fmt.count(r.paramsBefore()) + " -> " + Fmt.count(r.paramsAfter())
                + " parameters (" + Fmt.percent(removed(r)) + " removed): " + Fmt.plural(r.edit().removedBlocks().size(), "block")
                + " of " + r.blocks().size() + " and " + Fmt.plural(chosen.neuronsRemoved(), "MLP neuron") + " removed");
        if (r.candidates().size() > 1 || chosen.ran()) {
            TextTable t = new TextTable("rlrrrl", "blocks", "removed", "neurons", "parameters", "calib NLL", "");
            for (int i = 0; i < r.candidates().size(); i++) {
                Candidate c = r.candidates().get(i);
                t.row(Integer.toString(c.removedBlocks().size()), c.removedBlocks().isEmpty() ? "-" : c.removedBlocks().toString(),
                        Fmt.count(c.neuronsRemoved()), c.paramsAfter() < 0 ? "-" : Fmt.count(c.paramsAfter()),
                        c.ran() ? String.format(java.util.Locale.ROOT, "%.5f", c.calibrationNll()) : "-",
                        i == r.chosen() ? "chosen" : c.note() == null ? "" : "not run: " + c.note());
            }
            t.print(out, "");
        }
        TextTable t = new TextTable("rrlll", "block", "importance", "width", "MLP error", "");
        for (BlockFacts b : r.blocks()) {
            String width = b.removed() ? "removed" : b.width() == b.kept() ? Integer.toString(b.width())
                    : b.width() + " -> " + b.kept();
            String err = b.removed() || b.width() == b.kept() ? "" : String.format(java.util.Locale.ROOT, "%.4f -> %.4f",
                    b.errorBefore(), b.errorAfter());
            t.row(Integer.toString(b.block()), String.format(java.util.Locale.ROOT, "%.4f", b.importance()), width, err,
                    b.fallback() == null ? "" : "scales left at 1: " + b.fallback());
        }
        t.print(out, "");
    }

    private static String tuning(BlockFacts b, Map<String, Object> params) {
        if (b.removed() || b.width() == b.kept()) {
            return "none";
        }
        if (Boolean.FALSE.equals(params.get("tune"))) {
            return "off";
        }
        return b.fallback() == null ? "tuned" : "fallback";
    }

    private static double removed(Comp.Result r) {
        return r.paramsBefore() == 0 ? 0 : 1 - (double) r.paramsAfter() / r.paramsBefore();
    }
}
