package dev.surgeon.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.surgeon.ops.diff.BlockDelta;
import dev.surgeon.ops.diff.Mismatch;
import dev.surgeon.ops.diff.ModelDiff;
import dev.surgeon.ops.diff.Skipped;
import dev.surgeon.ops.diff.TensorDelta;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/** How {@code diff} shows a {@link ModelDiff}: report fields and aligned text tables. */
final class DiffView {
    private DiffView() {
    }

    /** Adds tensors, only_in_a, only_in_b, mismatches, skipped, blocks and the summary to a report. */
    static void addTo(dev.surgeon.cli.report.Report report, ModelDiff d) {
        JsonArray tensors = new JsonArray();
        for (TensorDelta t : d.deltas()) {
            JsonObject o = new JsonObject();
            o.addProperty("name", t.name());
            o.addProperty("dtype_a", t.dtypeA().name());
            o.addProperty("dtype_b", t.dtypeB().name());
            o.add("shape", Fmt.shape(t.shape()));
            if (t.block() >= 0) {
                o.addProperty("block", t.block());
            } else {
                o.add("block", com.google.gson.JsonNull.INSTANCE);
            }
            o.addProperty("role", t.role().jsonName());
            Fmt.put(o, "norm_delta", t.normDelta());
            Fmt.put(o, "norm_a", t.normA());
            Fmt.put(o, "norm_b", t.normB());
            Fmt.put(o, "relative", t.relative());
            Fmt.put(o, "cosine", t.cosine());
            Fmt.put(o, "max_abs_delta", t.maxAbsDelta());
            tensors.add(o);
        }
        report.put("tensors", tensors);
        report.put("only_in_a", strings(d.onlyInA()));
        report.put("only_in_b", strings(d.onlyInB()));
        JsonArray mm = new JsonArray();
        for (Mismatch m : d.mismatches()) {
            JsonObject o = new JsonObject();
            o.addProperty("name", m.name());
            o.addProperty("kind", m.kind().name().toLowerCase(java.util.Locale.ROOT));
            o.addProperty("dtype_a", m.dtypeA().name());
            o.add("shape_a", Fmt.shape(m.shapeA()));
            o.addProperty("dtype_b", m.dtypeB().name());
            o.add("shape_b", Fmt.shape(m.shapeB()));
            mm.add(o);
        }
        report.put("mismatches", mm);
        JsonArray sk = new JsonArray();
        for (Skipped s : d.skipped()) {
            JsonObject o = new JsonObject();
            o.addProperty("name", s.name());
            o.addProperty("reason", s.reason());
            if (s.identicalBytes() != null) {
                o.addProperty("identical_bytes", s.identicalBytes());
            }
            sk.add(o);
        }
        report.put("skipped", sk);
        JsonArray blocks = new JsonArray();
        for (BlockDelta b : d.blocks()) {
            blocks.add(block(b));
        }
        report.put("blocks", blocks);
        JsonObject s = report.summary();
        s.addProperty("tensors_compared", d.deltas().size());
        s.addProperty("tensors_differing", d.deltas().stream().filter(t -> !t.identical()).count());
        s.addProperty("identical", d.identical());
        JsonObject total = block(d.total());
        total.remove("index");
        total.entrySet().forEach(e -> s.add(e.getKey(), e.getValue()));
    }

    private static JsonObject block(BlockDelta b) {
        JsonObject o = new JsonObject();
        o.addProperty("index", b.index());
        o.addProperty("tensors", b.tensors());
        Fmt.put(o, "norm_delta", b.normDelta());
        Fmt.put(o, "norm_a", b.normA());
        Fmt.put(o, "relative", b.relative());
        Fmt.put(o, "cosine", b.cosine());
        return o;
    }

    private static JsonArray strings(List<String> xs) {
        JsonArray a = new JsonArray();
        xs.forEach(a::add);
        return a;
    }

    static void print(PrintStream out, String a, String b, ModelDiff d) {
        out.println("A  " + a);
        out.println("B  " + b);
        if (!d.deltas().isEmpty()) {
            out.println();
            TextTable t = new TextTable("lllrrrrr", "tensor", "dtype", "shape", "block", "norm_delta", "relative",
                    "cosine", "max_abs_delta");
            for (TensorDelta x : d.deltas()) {
                String dt = x.dtypeA() == x.dtypeB() ? x.dtypeA().name() : x.dtypeA() + "->" + x.dtypeB();
                t.row(x.name(), dt, Arrays.toString(x.shape()), x.block() >= 0 ? Integer.toString(x.block()) : "-",
                        Fmt.num(x.normDelta()), Fmt.num(x.relative()), Fmt.num(x.cosine()), Fmt.num(x.maxAbsDelta()));
            }
            t.print(out, "");
        }
        list(out, "only in A", d.onlyInA());
        list(out, "only in B", d.onlyInB());
        if (!d.mismatches().isEmpty()) {
            out.println();
            out.println("mismatches (" + d.mismatches().size() + ")");
            for (Mismatch m : d.mismatches()) {
                out.println("  " + m.name() + ": " + m.describe());
            }
        }
        if (!d.skipped().isEmpty()) {
            out.println();
            out.println("not compared by value (" + d.skipped().size() + ")");
            for (Skipped s : d.skipped()) {
                String bytes = s.identicalBytes() == null ? "" : s.identicalBytes() ? "; bytes identical" : "; bytes differ";
                out.println("  " + s.name() + ": " + s.reason() + bytes);
            }
        }
        if (!d.blocks().isEmpty()) {
            out.println();
            TextTable bt = new TextTable("lrrrrr", "block", "tensors", "norm_delta", "norm_a", "relative", "cosine");
            for (BlockDelta x : d.blocks()) {
                bt.row(x.index(), x.tensors(), Fmt.num(x.normDelta()), Fmt.num(x.normA()), Fmt.num(x.relative()),
                        Fmt.num(x.cosine()));
            }
            BlockDelta x = d.total();
            bt.row("all", x.tensors(), Fmt.num(x.normDelta()), Fmt.num(x.normA()), Fmt.num(x.relative()),
                    Fmt.num(x.cosine()));
            bt.print(out, "");
        }
        out.println();
        long differing = d.deltas().stream().filter(t -> !t.identical()).count();
        out.println(d.identical() ? "identical: " + d.deltas().size() + " tensors compared, no difference"
                : "differ: " + differing + " of " + d.deltas().size() + " compared tensors changed, "
                + d.onlyInA().size() + " only in A, " + d.onlyInB().size() + " only in B, "
                + d.mismatches().size() + " header mismatches");
    }

    private static void list(PrintStream out, String title, List<String> names) {
        if (names.isEmpty()) {
            return;
        }
        out.println();
        out.println(title + " (" + names.size() + ")");
        for (String n : names) {
            out.println("  " + n);
        }
    }
}
