package dev.surgeon.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.ops.prune.CalibratedPruning;
import dev.surgeon.ops.prune.PruneFacts;
import dev.surgeon.ops.prune.PrunePlan;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How {@code prune} reports what it did: per tensor and per block, the weights the method pruned and
 * the sparsity the written tensors reached (their zero fraction, as {@code inspect --stats} reads it),
 * and the totals: over the prunable tensors ({@code sparsity}) and over all parameters ({@code sparsity_total}).
 */
final class PruneView {
    private PruneView() {
    }

    /** Per block: {weights, pruned, zeros}; block −1 gathers tensors outside blocks (--include). */
    static Map<Integer, long[]> byBlock(PrunePlan plan) {
        Map<Integer, long[]> m = new TreeMap<>();
        for (PruneFacts f : plan.facts().values()) {
            long[] c = m.computeIfAbsent(f.tensor().block(), k -> new long[3]);
            c[0] += f.numel();
            c[1] += f.pruned();
            c[2] += f.zeros();
        }
        return m;
    }

    static void report(Report report, PruneRequest req, Map<String, Object> params, Checkpoint in, PrunePlan plan,
                       List<CalibratedPruning.BlockResult> method) {
        report.put("params", Report.gson().toJsonTree(params));
        long all = in.tensors().values().stream().mapToLong(r -> r.info().numel()).sum();
        long[] total = totals(plan);
        JsonObject s = report.summary();
        s.addProperty("params_before", all);
        s.addProperty("params_after", all - total[1]);
        s.addProperty("prunable", total[0]);
        s.addProperty("pruned", total[1]);
        s.addProperty("zeros", total[2]);
        s.addProperty("sparsity", ratio(total[2], total[0]));
        s.addProperty("sparsity_total", ratio(total[2], all));
        s.addProperty("target_sparsity", req.ratio());

        Map<Integer, CalibratedPruning.BlockResult> facts = methodFacts(method);
        JsonArray blocks = new JsonArray();
        byBlock(plan).forEach((b, c) -> {
            if (b < 0) {
                return;
            }
            JsonObject o = new JsonObject();
            o.addProperty("index", b);
            o.addProperty("weights", c[0]);
            o.addProperty("pruned", c[1]);
            o.addProperty("sparsity", ratio(c[2], c[0]));
            CalibratedPruning.BlockResult r = facts.get(b);
            if (r != null) {
                Fmt.put(o, "target_sparsity", r.sparsity());
                Fmt.put(o, "score", r.score());
            }
            blocks.add(o);
        });
        report.put("blocks", blocks);

        JsonArray tensors = new JsonArray();
        for (PruneFacts f : plan.facts().values()) {
            JsonObject o = new JsonObject();
            o.addProperty("name", f.tensor().name());
            o.addProperty("dtype", f.dtype().name());
            o.add("shape", Fmt.shape(f.tensor().ref().info().shape()));
            if (f.tensor().block() >= 0) {
                o.addProperty("block", f.tensor().block());
            }
            o.addProperty("role", f.tensor().role().role().jsonName());
            o.addProperty("pruned", f.pruned());
            o.addProperty("zeros", f.zeros());
            o.addProperty("sparsity", f.sparsity());
            tensors.add(o);
        }
        report.put("tensors", tensors);
    }

    /** The human summary on stdout: one line per block and the totals. */
    static void print(PrintStream out, PruneRequest req, PrunePlan plan, List<CalibratedPruning.BlockResult> method,
                      Checkpoint in) {
        Map<Integer, CalibratedPruning.BlockResult> facts = methodFacts(method);
        boolean scores = facts.values().stream().anyMatch(r -> Double.isFinite(r.score()));
        TextTable t = scores
                ? new TextTable("lrrrrr", "block", "weights", "pruned", "sparsity", "target", "score")
                : new TextTable("lrrr", "block", "weights", "pruned", "sparsity");
        byBlock(plan).forEach((b, c) -> {
            String label = b < 0 ? "outside" : Integer.toString(b);
            String pct = Fmt.percent(ratio(c[2], c[0]));
            CalibratedPruning.BlockResult r = facts.get(b);
            if (scores) {
                t.row(label, Fmt.count(c[0]), Fmt.count(c[1]), pct, r == null ? "-" : Fmt.percent(r.sparsity()),
                        r == null || !Double.isFinite(r.score()) ? "-" : Fmt.num(r.score()));
            } else {
                t.row(label, Fmt.count(c[0]), Fmt.count(c[1]), pct);
            }
        });
        long[] total = totals(plan);
        long all = in.tensors().values().stream().mapToLong(r -> r.info().numel()).sum();
        if (scores) {
            t.row("total", Fmt.count(total[0]), Fmt.count(total[1]), Fmt.percent(ratio(total[2], total[0])), "", "");
        } else {
            t.row("total", Fmt.count(total[0]), Fmt.count(total[1]), Fmt.percent(ratio(total[2], total[0])));
        }
        out.println(req.name() + (req.nmM() > 0 ? " " + req.nmN() + ":" + req.nmM()
                : " at " + Fmt.num(req.ratio()) + (req.magnitude() ? ", group " + req.group().cliName() : ""))
                + ": " + plan.facts().size() + " tensors pruned");
        t.print(out, "");
        out.println("sparsity " + Fmt.percent(ratio(total[2], total[0])) + " of prunable weights, "
                + Fmt.percent(ratio(total[2], all)) + " of all " + Fmt.count(all) + " parameters"
                + (req.nmM() > 0 ? "; N:M pattern verified on the written output" : ""));
    }

    /** {weights, pruned, zeros} over every pruned tensor. */
    private static long[] totals(PrunePlan plan) {
        long[] t = new long[3];
        for (PruneFacts f : plan.facts().values()) {
            t[0] += f.numel();
            t[1] += f.pruned();
            t[2] += f.zeros();
        }
        return t;
    }

    private static Map<Integer, CalibratedPruning.BlockResult> methodFacts(List<CalibratedPruning.BlockResult> method) {
        Map<Integer, CalibratedPruning.BlockResult> m = new HashMap<>();
        if (method != null) {
            method.forEach(r -> m.put(r.block(), r));
        }
        return m;
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }
}
